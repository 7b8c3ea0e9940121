from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "loket.directory"
    label = "directory"
    verbose_name = "Directory (storefronts)"
