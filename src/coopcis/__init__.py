"""coopcis: member information and billing for rural electric cooperatives."""

__version__ = "0.1.0"
