"""CPTS projects, under /projets/."""

from django.urls import path
from django.views.generic import RedirectView

from .views import contract, pipeline, projects

app_name = "projects"

urlpatterns = [
    path("", projects.project_list, name="list"),
    # The projects had their own sign-in page: old links and bookmarks land on the portal's.
    path(
        "connexion/",
        RedirectView.as_view(pattern_name="login", permanent=True, query_string=True),
        name="login",
    ),
    path("deconnexion/", projects.logout, name="logout"),
    path("nouveau/", projects.project_create, name="create"),
    path("contrats/", contract.contracts_board, name="contracts_board"),
    path("contrats/export.csv", contract.contracts_board_csv, name="contracts_board_csv"),
    path("<int:pk>/", projects.project_detail, name="detail"),
    path("<int:pk>/modifier/", projects.project_edit, name="edit"),
    path("<int:pk>/nom/", projects.project_name, name="name"),
    path("<int:pk>/inviter/", projects.invite, name="invite"),
    path("<int:pk>/fiche.pdf", pipeline.project_pdf, name="pdf"),
    path("<int:pk>/porteur/", projects.holder_edit, name="holder"),
    path("<int:pk>/territoire/", projects.territory_edit, name="territory"),
    path("<int:pk>/etape/<str:target>/", projects.stage_change, name="stage_change"),
    path("<int:pk>/derogation/<int:other_pk>/", projects.overlap_override, name="overlap_override"),
    path("<int:pk>/jalons/<int:milestone_pk>/", projects.milestone_edit, name="milestone"),
    path("<int:pk>/documents/", projects.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        pipeline.document_download,
        name="document_download",
    ),
    path("<int:pk>/lettre-intention/", pipeline.letter, name="letter"),
    path("<int:pk>/lettre-intention/depot/", pipeline.letter_deposit, name="letter_deposit"),
    path("<int:pk>/avis-urps/", pipeline.urps_opinion, name="urps_opinion"),
    path("<int:pk>/guichet-cpts/transmettre/", pipeline.guichet_transmit, name="guichet_transmit"),
    path("<int:pk>/avis-assurance-maladie/", pipeline.am_opinion, name="am_opinion"),
    path("<int:pk>/projet-de-sante/", pipeline.health_project, name="health_project"),
    path("<int:pk>/contrat/", contract.contract, name="contract"),
    path("<int:pk>/contrat/rapport/<int:year>/", contract.report, name="contract_report"),
    path(
        "<int:pk>/contrat/rapport/<int:year>/pdf/",
        contract.report_pdf,
        name="contract_report_pdf",
    ),
    # The contracts of a renewed project, each by its id (``AciContract.page_url``).
    path("<int:pk>/contrat/<int:contract_pk>/", contract.contract, name="contract_of"),
    path(
        "<int:pk>/contrat/<int:contract_pk>/rapport/<int:year>/",
        contract.report,
        name="contract_report_of",
    ),
    path(
        "<int:pk>/contrat/<int:contract_pk>/rapport/<int:year>/pdf/",
        contract.report_pdf,
        name="contract_report_pdf_of",
    ),
    path(
        "<int:pk>/contrat/rapport/<int:year>/justificatifs/<int:file_pk>/",
        contract.report_evidence_download,
        name="report_evidence_download",
    ),
    path(
        "<int:pk>/contrat/livrables/<int:file_pk>/",
        contract.deliverable_download,
        name="deliverable_download",
    ),
]
