from django.apps import AppConfig

from config.postgres import lookups


class ProjectConfig(AppConfig):
    name = "config"

    def ready(self) -> None:
        lookups.register()  # `__in` lists as one array under server-side binding
