"""What every project view shares: login, access to one project, the 404-or-403 rule, the
upload of a document from a page's form."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from projects import permissions, services
from projects.forms import DocumentForm
from projects.models import CptsProject, Document, DocumentKind
from projects.selectors import coordinator_queryset


def project_queryset() -> QuerySet[CptsProject]:
    """A project with what every page reads: its region's identity answers
    ``permissions.uses_guichet`` without a query."""
    return CptsProject.objects.select_related(
        "territory", "legal_holder", "region__identity"
    ).prefetch_related(Prefetch("coordinators", queryset=coordinator_queryset()))


def get_project(request: HttpRequest, pk: int) -> CptsProject:
    """The project if this user may see it; 404 otherwise, so its existence stays private
    (``permissions.can_view``: another region's project is a 404 for a regional agent)."""
    project = get_object_or_404(project_queryset(), pk=pk)
    if not permissions.can_view(request.user, project):
        raise Http404
    return project


def model_values(form) -> dict:
    """A valid ModelForm's cleaned values of its model fields: what a service takes."""
    cleaned = form.cleaned_data
    return {name: cleaned[name] for name in form._meta.fields if name in cleaned}


def require(allowed: bool) -> None:
    """403 for a user who sees the project but may not do this."""
    if not allowed:
        raise PermissionDenied


def with_project(view):
    """Decorate ``view(request, project, ...)``: login, then the project or 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs):
        return view(request, get_project(request, pk), *args, **kwargs)

    return wrapper


# The name of the button that adds the chosen file on a page whose form also holds text.
UPLOAD_BUTTON = "televerser"


def page_document_form(
    request: HttpRequest, kinds: list[DocumentKind]
) -> tuple[bool, DocumentForm | None]:
    """Whether this request adds a file (its button, or any button with a file chosen), and
    the upload form of a page whose form also holds text: bound when adding, None when
    the user may upload no kind here."""
    uploading = request.method == "POST" and (
        UPLOAD_BUTTON in request.POST or bool(request.FILES.get("file"))
    )
    if not kinds:
        return uploading, None
    if not uploading:
        return uploading, DocumentForm(kinds=kinds)
    return uploading, DocumentForm(request.POST, request.FILES, kinds=kinds)


def add_uploaded_document(
    request: HttpRequest, project: CptsProject, document_form: DocumentForm
) -> Document | None:
    """Store the file of a bound upload form (``services.add_document``); None with the error
    next to the form's file field (or its kind) when the file or the form is refused, so
    that the page comes back with it. On a page that also holds text, call it once the text
    is saved."""
    if not document_form.is_valid():
        return None
    try:
        return services.add_document(
            project,
            document_form.cleaned_data["kind"],
            document_form.cleaned_data["file"],
            request.user,
            title=document_form.cleaned_data["title"],
        )
    except ValidationError as error:
        document_form.add_error("file", error)
        return None
