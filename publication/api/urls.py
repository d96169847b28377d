from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

# No format suffixes (.json) nor browsable root: one URL per resource, JSON only.
router = SimpleRouter()
router.register("projets", views.ProjectViewSet, basename="project")
router.register("territoires", views.TerritoryViewSet, basename="territory")
router.register("reponses", views.SubmissionViewSet, basename="submission")
router.register("contrats", views.ContractViewSet, basename="contract")
router.register("communes", views.CommuneViewSet, basename="commune")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file (?script): no inline script.
        SpectacularSwaggerSplitView.as_view(
            url_name="publication:api:schema", template_name="publication/swagger_ui.html"
        ),
        name="docs",
    ),
    path("", include(router.urls)),
]
