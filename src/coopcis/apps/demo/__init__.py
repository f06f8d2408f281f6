"""The demo co-op generator (coopcis demo)."""
