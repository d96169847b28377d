from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("", views.territory_list, name="territory_list"),
    path("communes/recherche/", views.commune_search, name="commune_search"),
    path("intercommunalites/recherche/", views.epci_search, name="epci_search"),
    path("nouveau/", views.territory_edit, name="territory_create"),
    path("<int:pk>/", views.territory_detail, name="territory_detail"),
    path("<int:pk>/modifier/", views.territory_edit, name="territory_edit"),
]
