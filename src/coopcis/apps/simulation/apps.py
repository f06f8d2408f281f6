from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "coopcis.apps.simulation"
    label = "simulation"
