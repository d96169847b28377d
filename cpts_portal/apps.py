from django.apps import AppConfig


class CptsPortalConfig(AppConfig):
    name = "cpts_portal"
    verbose_name = "CPTS Portal"
