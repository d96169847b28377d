"""CPTS projects, under /projets/."""

app_name = "projects"

urlpatterns: list = []
