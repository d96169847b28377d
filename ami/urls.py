from django.urls import path

from . import views

app_name = "ami"

urlpatterns = [
    path("", views.home, name="home"),
    path("ami/<slug:slug>/", views.answer, name="answer"),
    path("ami/<slug:slug>/confirmation/<int:pk>/", views.confirmation, name="confirmation"),
    path("suivi/<str:token>/", views.follow, name="follow"),
    path("suivi/<str:token>/modifier/", views.edit, name="edit"),
]
