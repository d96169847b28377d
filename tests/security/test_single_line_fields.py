"""Every single-line text field of every form refuses line breaks and control characters.

Line breaks typed in a name were quoted into the emails the portal sends: an anonymous
answer could write paragraphs of its own (a fake « votre réponse est incomplète » with a
link) into an acknowledgement sent from the portal's address to any address. The forms are
found by walking the apps' modules, so that a new form is checked from the day it exists.
"""

import importlib
import inspect
import pkgutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.forms import BaseForm

from ami.models import Submission
from cpts_portal.validators import SINGLE_LINE_MESSAGE
from projects.models import AciContract, AnnualReport, DocumentKind
from projects.workflow import TRANSITIONS
from territories.forms import CommuneField
from territories.models import Epci
from tests.factories import CommuneFactory, DepartementFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

APPS = ("ami", "projects", "territories", "cpts_portal", "publication")
LINE_BREAK = "a\r\nb"


def app_modules() -> Iterator[str]:
    for app in APPS:
        package = importlib.import_module(app)
        yield app
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in module.name:
                yield module.name


def project_form_classes() -> dict[str, type[BaseForm]]:
    """Every form class defined in the apps' modules, by dotted path."""
    found = {}
    for name in app_modules():
        module = importlib.import_module(name)
        for _attribute, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseForm) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return found


def contract_rule():
    return next(rule for rule in TRANSITIONS if "cpam_name" in rule.optional)


def submission_for_orientation() -> Submission:
    return SubmissionFactory()


# How to build each form class with data; None: ``cls(data=data)``. A new form class must be
# added here: the first test fails until it is.
Factory = Callable[[type[BaseForm], dict], BaseForm]
FACTORIES: dict[str, Factory | None] = {
    "ami.admin.SubmissionAdminForm": None,
    "ami.attachment_forms.CorrectionForm": None,
    "ami.attachment_forms.ReferentDocumentForm": None,
    "ami.attachment_forms.ReferentMessageForm": None,
    "ami.attachment_forms.ResubmitForm": None,
    "ami.attachment_forms.StaffMessageForm": None,
    "ami.forms.ActorForm": None,
    "ami.forms.ReferentForm": None,
    "ami.forms.ResumeLinkForm": None,
    "ami.forms.SubmissionForm": None,
    "ami.staff.forms.AssignForm": None,
    "ami.staff.forms.BulkActionForm": lambda cls, data: cls(
        data=data, queryset=Submission.objects.none()
    ),
    "ami.staff.forms.CloseForm": None,
    "ami.staff.forms.ColumnsForm": None,
    "ami.staff.forms.ErasureForm": None,
    "ami.staff.forms.ExchangeForm": None,
    "ami.staff.forms.NoteForm": None,
    "ami.staff.forms.OpinionForm": None,
    "ami.staff.forms.OrientForm": lambda cls, data: cls(
        data=data,
        submission=submission_for_orientation(),
        related=Submission.objects.none(),
    ),
    "ami.staff.forms.PersonalDataRequestForm": None,
    "ami.staff.forms.ResendLinkForm": None,
    "ami.staff.forms.StatusForm": None,
    "cpts_portal.forms.AdminLoginForm": None,
    "cpts_portal.forms.LoginForm": None,
    "projects.admin.CptsProjectAdminForm": None,
    "projects.contract_forms.PaymentForm": lambda cls, data: cls(
        data=data, contract=AciContract(signed_on=date(2024, 1, 1))
    ),
    "projects.contract_forms.RenewalForm": None,
    "projects.contract_forms.ReportForm": lambda cls, data: cls(
        data=data,
        report=AnnualReport(
            year=1,
            results=[{"mission": "prevention", "name": "a", "unit": "", "target": "1"}],
        ),
    ),
    "projects.contract_forms.ReviewForm": None,
    "projects.contract_forms.CheckedFileForm": None,
    "projects.contract_forms.DeliverableForm": lambda cls, data: cls(
        data=data, codes=["plan_crise"]
    ),
    "projects.contract_forms.DeliverableReviewForm": None,
    "projects.contract_forms.EvidenceForm": lambda cls, data: cls(
        data=data,
        report=AnnualReport(
            year=1,
            results=[{"mission": "prevention", "name": "a", "unit": "", "target": "1"}],
        ),
    ),
    "projects.contract_forms.MissionProgressForm": lambda cls, data: cls(
        data=data, contract=AciContract(signed_on=date(2024, 1, 1), missions=["prevention"])
    ),
    "projects.forms.ActionSheetForm": None,
    "projects.forms.AmOpinionForm": None,
    "projects.forms.AmendmentForm": lambda cls, data: cls(
        data=data, contract=AciContract(signed_on=date(2024, 1, 1))
    ),
    "projects.forms.ContractPartiesForm": None,
    "projects.forms.DialogueForm": None,
    "projects.forms.DocumentForm": lambda cls, data: cls(data=data, kinds=list(DocumentKind)),
    "projects.forms.HealthProjectForm": None,
    "projects.forms.LegalHolderForm": None,
    "projects.forms.LetterForm": None,
    "projects.forms.InvitationForm": None,
    "projects.forms.MilestoneForm": None,
    "projects.forms.OverrideForm": None,
    "projects.forms.PasswordResetRequestForm": None,
    "projects.forms.PortalSetPasswordForm": lambda cls, data: cls(
        get_user_model()(username="anne"), data=data
    ),
    "projects.forms.ProjectForm": None,
    "projects.forms.ProjectNameForm": None,
    "projects.forms.TerritoryOverrideForm": None,
    "projects.forms.TransitionForm": lambda cls, data: cls(data=data, rule=contract_rule()),
    "projects.forms.UrpsOpinionForm": None,
    "projects.forms.GuichetTransmitForm": None,
    "territories.builder.TerritoryBuilderForm": lambda cls, data: cls(
        data=data, allow_departement=True
    ),
    "territories.views.TerritoryNameForm": None,
    "territories.forms.TerritoryFilterForm": lambda cls, data: cls(
        data=data, departements=[("29", "Finistère (29)")]
    ),
    "publication.forms.CommuneLookupForm": None,
    "publication.forms.ConsentForm": None,
}
# The shared bases, never used as such.
BASES = {"cpts_portal.forms.PortalForm", "cpts_portal.forms.PortalModelForm"}

# Values each field accepts (the generic ones by field type below); the fixture ``world``
# creates what they name.
NORMAL_BY_NAME = {
    "phone": "02 98 92 12 34",
    "practice_place": "Douarnenez",
    "commune": "Douarnenez",
    "contact_phone": "02 98 92 12 34",
    "rna_number": "W751234567",
    "siret": "73282932000074",
    "add_epci": "Douarnenez Communauté",
    "add_departement": "29",
    "other_references": "",  # set by the fixture: another answer's reference
}


def normal_value(name: str, field: forms.Field) -> str:
    if name in NORMAL_BY_NAME:
        return NORMAL_BY_NAME[name]
    if isinstance(field, forms.EmailField):
        return "anne.legoff@example.org"
    if isinstance(field, forms.URLField):
        return "https://visio.example.org/cpts-douarnenez"
    if isinstance(field, forms.UUIDField):
        return str(uuid.uuid4())
    return "Dr Anne Le Goff — MSP du Port-Rhu, 29100 Douarnenez"


@pytest.fixture
def world(monkeypatch):
    commune = CommuneFactory(name="Douarnenez", insee_code="29046", postal_codes="29100")
    epci = Epci.objects.create(code="242900645", name="Douarnenez Communauté", kind="CC")
    commune.epci = epci
    commune.save()
    DepartementFactory(code="29")
    other = SubmissionFactory()
    monkeypatch.setitem(NORMAL_BY_NAME, "other_references", other.reference)


def is_single_line_text(field: forms.Field) -> bool:
    """What a person types on one line: text fields but textareas, passwords and hidden."""
    return isinstance(field, forms.CharField | CommuneField) and not isinstance(
        field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput
    )


def build(path: str, data: dict) -> BaseForm:
    cls = CLASSES[path]
    factory = FACTORIES[path] or (lambda cls, data: cls(data=data))
    return factory(cls, data)


def single_line_fields(fields: dict[str, forms.Field]) -> list[str]:
    return [name for name, field in fields.items() if is_single_line_text(field)]


# From the declared fields: collecting runs without a database. The first test checks that
# the forms as built (their ``__init__`` may add or remove fields) have these, no more.
CLASSES = project_form_classes()
CASES = [
    (path, name)
    for path in sorted(FACTORIES)
    if path in CLASSES
    for name in single_line_fields(CLASSES[path].base_fields)
]


def test_every_form_class_of_the_apps_has_a_factory(world):
    found = set(CLASSES) - BASES
    assert found - set(FACTORIES) == set(), "new form classes: add them to FACTORIES"
    assert set(FACTORIES) - found == set(), "gone form classes: remove them from FACTORIES"
    for path in FACTORIES:
        built = single_line_fields(build(path, {}).fields)
        declared = [name for form_path, name in CASES if form_path == path]
        assert sorted(built) == sorted(declared), path


def test_the_walk_finds_the_single_line_fields_of_public_and_staff_forms():
    cases = set(CASES)
    assert ("ami.forms.ActorForm", "name") in cases
    assert ("ami.forms.ActorForm", "practice_place") in cases
    assert ("ami.forms.ReferentForm", "name") in cases
    assert ("ami.forms.ReferentForm", "email") in cases
    assert ("ami.staff.forms.ExchangeForm", "place") in cases
    assert ("projects.forms.ProjectForm", "name") in cases
    assert ("territories.builder.TerritoryBuilderForm", "add_epci") in cases
    assert len(cases) >= 30


# Fields that parse the text first: their own "invalid" message refuses it as well.
PARSED = (forms.UUIDField, forms.URLField)


@pytest.mark.parametrize(("path", "name"), CASES)
def test_a_line_break_in_a_single_line_field_is_refused_next_to_it(world, path, name):
    form = build(path, {})
    data = {form.add_prefix(name): LINE_BREAK}
    form = build(path, data)
    assert not form.is_valid()
    errors = form.errors.get(name)
    assert errors, f"{path}.{name} accepts {LINE_BREAK!r}"
    if not isinstance(form.fields[name], PARSED):
        assert str(SINGLE_LINE_MESSAGE) in errors, errors


@pytest.mark.parametrize(("path", "name"), CASES)
def test_a_normal_value_in_a_single_line_field_is_accepted(world, path, name):
    form = build(path, {})
    value = normal_value(name, form.fields[name])
    form = build(path, {form.add_prefix(name): value})
    form.is_valid()
    assert name not in form.errors, (value, form.errors.get(name))


@pytest.mark.parametrize(
    "value",
    [
        "Dr X\r\nIMPORTANT",
        "Dr X\nIMPORTANT",
        "Dr X\rIMPORTANT",
        "Dr\tX",
        "Dr X\x0bIMPORTANT",
        "Dr X\x1b[31m",
        "Dr X\x7f",
        "Dr X\x85IMPORTANT",
        "Dr X\u2028IMPORTANT",
        "Dr X\u2029IMPORTANT",
    ],
)
def test_every_control_character_is_refused_in_a_name(value):
    form = build("ami.forms.ReferentForm", {"name": value, "email": "anne@example.org"})
    assert form.errors["name"] == [str(SINGLE_LINE_MESSAGE)]


def test_a_nul_byte_keeps_djangos_message_once():
    form = build("ami.forms.ReferentForm", {"name": "Dr X\x00", "email": "anne@example.org"})
    assert form.errors["name"] == ["Le caractère nul n’est pas autorisé."]


@pytest.mark.parametrize(
    "value",
    ["Dr Anne Le Goff", "Ærøskøbing — « l’Île » ½", "Douarnenez 🐟", "ＤＯＵＡＲＮＥＮＥＺ"],
)
def test_printable_text_is_kept_as_typed(value):
    form = build("ami.forms.ReferentForm", {"name": value, "email": "anne@example.org"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == value


def test_textareas_keep_their_line_breaks_and_tabs():
    form = build("ami.staff.forms.NoteForm", {"text": "Première ligne\r\n\tseconde ligne"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "Première ligne\r\n\tseconde ligne"


def test_the_validator_list_of_the_declared_field_is_left_alone():
    from ami.staff.forms import ExchangeForm

    declared = list(ExchangeForm.base_fields["place"].validators)
    form = ExchangeForm(data={"place": LINE_BREAK})
    form.is_valid()
    ExchangeForm(data={"place": "Salle du conseil"}).is_valid()
    assert ExchangeForm.base_fields["place"].validators == declared
    assert str(SINGLE_LINE_MESSAGE) in form.errors["place"]
