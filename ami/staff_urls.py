"""Staff workspace of the AMI (dashboard, submission pages), under /tableau-de-bord/."""

from django.urls import path, re_path

from .staff import correction_views, report_views, rgpd_views, views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("colonnes/", views.save_columns, name="dashboard_columns"),
    path("selection/", views.bulk_action, name="bulk_action"),
    re_path(r"^export\.(?P<extension>csv|xlsx|ods)$", report_views.export, name="export"),
    path("exports/<uuid:pk>/", report_views.export_job, name="export_job"),
    path(
        "exports/<uuid:pk>/telecharger/",
        report_views.export_job_download,
        name="export_job_download",
    ),
    path("statistiques/", report_views.statistics, name="statistics"),
    path("rgpd/", rgpd_views.personal_data, name="personal_data"),
    path("rgpd/export/", rgpd_views.personal_data_file, name="personal_data_file"),
    path("rgpd/effacement/", rgpd_views.personal_data_erasure, name="personal_data_erasure"),
    path("lots-pdf/", report_views.create_batch, name="batch_create"),
    path("lots-pdf/<uuid:pk>/", report_views.batch_detail, name="batch"),
    path("lots-pdf/<uuid:pk>/etat/", report_views.batch_status, name="batch_status"),
    path("lots-pdf/<uuid:pk>/telecharger/", report_views.batch_download, name="batch_download"),
    path("reponses/<int:pk>/", views.submission_detail, name="submission"),
    path("reponses/<int:pk>/pdf/", report_views.submission_pdf_view, name="submission_pdf"),
    path("reponses/<int:pk>/attribuer/", views.assign, name="assign"),
    path("reponses/<int:pk>/statut/", views.change_status, name="change_status"),
    path("reponses/<int:pk>/echange/", views.plan_exchange, name="plan_exchange"),
    path("reponses/<int:pk>/orientation/", views.orient, name="orient"),
    path("reponses/<int:pk>/cloture/", views.close, name="close"),
    path("reponses/<int:pk>/note/", views.add_note, name="note"),
    path("reponses/<int:pk>/avis/", views.give_opinion, name="opinion"),
    path("reponses/<int:pk>/message/", views.send_message, name="message"),
    path("reponses/<int:pk>/nouveau-lien/", views.resend_link, name="resend_link"),
    path(
        "reponses/<int:pk>/correction/",
        correction_views.request_correction,
        name="request_correction",
    ),
    path(
        "reponses/<int:pk>/pieces/<int:attachment_pk>/",
        correction_views.download_attachment,
        name="attachment",
    ),
    path("reponses/<int:pk>/courrier/", correction_views.decision_letter, name="decision_letter"),
]
