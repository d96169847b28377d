from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("communes/recherche/", views.commune_search, name="commune_search"),
    path("nouveau/", views.territory_edit, name="territory_create"),
    path("<int:pk>/", views.territory_edit, name="territory_edit"),
]
