from django.urls import include, path

from . import views

app_name = "publication"

urlpatterns = [
    path("cpts/ma-commune/", views.find_commune, name="find_commune"),
    path("cpts/couverture/", views.coverage, name="coverage"),
    path("cpts/publication/<int:pk>/", views.manage, name="manage"),
    path("donnees/", views.open_data, name="open_data"),
    path("donnees/<str:name>", views.open_data_file, name="open_data_file"),
    path("api/v1/", include(("publication.api.urls", "api"))),
]
