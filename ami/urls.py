from django.urls import path

from . import referent_views, views

app_name = "ami"

urlpatterns = [
    path("", views.home, name="home"),
    path("ami/<slug:slug>/", views.answer, name="answer"),
    path("ami/<slug:slug>/confirmation/<int:pk>/", views.confirmation, name="confirmation"),
    path("ami/<slug:slug>/brouillon/", views.draft_save, name="draft_save"),
    # Under /suivi/<token>/: the token is masked in the logs and the page never cached.
    path("suivi/<str:token>/reprendre/", views.draft_resume, name="draft_resume"),
    path("suivi/<str:token>/", views.follow, name="follow"),
    path("suivi/<str:token>/modifier/", views.edit, name="edit"),
    path("suivi/<str:token>/messages/", referent_views.post_message, name="referent_message"),
    path("suivi/<str:token>/pdf/", referent_views.summary_pdf, name="referent_pdf"),
    path("suivi/<str:token>/documents/", referent_views.add_document, name="referent_document"),
    path("suivi/<str:token>/renvoyer/", referent_views.resubmit, name="referent_resubmit"),
    path(
        "suivi/<str:token>/pieces/<int:pk>/",
        referent_views.download_attachment,
        name="referent_attachment",
    ),
    path("suivi/<str:token>/courrier/", referent_views.decision_letter, name="decision_letter"),
]
