from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("projets", views.ProjectViewSet, basename="project")
router.register("territoires", views.TerritoryViewSet, basename="territory")
router.register("reponses", views.SubmissionViewSet, basename="submission")

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
