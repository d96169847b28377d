"""The hostile corpus (``hostile_inputs.py``) fired at every form and endpoint.

For every request: no 500; a refused form comes back with its errors next to the fields
(the DSFR message block ``<id>-message-error`` of each field in error, or, for a hidden
field, the error summary); nothing is stored half-way (the counts of answers, actors,
référents, events, exchanges, territories and outbox rows are unchanged after a refused
POST); what is echoed back is escaped. A NUL byte never reaches a SQL query, whatever the
database: PostgreSQL refuses it with an error (a 500), SQLite would store it.

Every value of the corpus is fired at the public answer form, in each field of its actor
and référent rows (ten rows per request, the values rotating over the fields); the other
forms and endpoints get a sample, spread over their fields, to keep the run short.
"""

import html
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms import BaseForm, BaseFormSet
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from ami.models import Submission
from ami.views import build_forms
from cpts_portal.roles import Role
from tests.ami.helpers import answer_data
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    SubmissionFactory,
    UserFactory,
)

from .hostile_inputs import HOSTILE_VALUES, huge_values, ordinary_values

pytestmark = pytest.mark.django_db

NUL = "\x00"
NUL_MESSAGE = "Le caractère nul n’est pas autorisé."
ROWS = 10  # actor and référent rows per request of the rotation
ACTOR_FIELDS = (
    "id",  # hidden: forged ids
    "submission",
    "name",
    "profession",
    "profession_other",
    "practice_place",
    "practice_place_insee",
    "practice_setting",
    "structure_name",
)
REFERENT_FIELDS = ("id", "submission", "name", "function", "email", "phone")
# The answer's own fields; the honeypot and the consent are left out (sending the first
# is a bot's 400, leaving out the second makes every request of the rotation a refusal).
ANSWER_FIELDS = (
    "context",
    "territory_text",
    "meeting_wished_by",
    "meeting_wish",
    "objectives",
    "form_token",
    "territory-add_communes",
    "territory-add_epci",
    "territory-kept_places",
)


# --- What every request must respect --------------------------------------------------------


@pytest.fixture(autouse=True)
def no_nul_reaches_the_database():
    """Fail the test as soon as a query carries a NUL byte (a 500 on PostgreSQL)."""
    leaks: list[str] = []

    def guard(execute, sql, params, many, context):
        rows = params if many else [params]
        for row in rows or []:
            values = row.values() if isinstance(row, dict) else (row or [])
            if any(isinstance(value, str) and NUL in value for value in values):
                leaks.append(sql[:120])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield leaks
    assert leaks == [], f"NUL bytes reached these queries: {leaks}"


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.RATELIMIT_ENABLED = False


# What a refused request must leave as it was: every row of the portal's own apps. The
# access log is not in it: showing a staff page again with a form's errors is an access.
COUNTED_APPS = ("ami", "projects", "territories", "notifications")
NOT_COUNTED = {"ami.accesslog"}


@dataclass(frozen=True)
class Counts:
    rows: tuple[tuple[str, int], ...]

    @classmethod
    def now(cls) -> "Counts":
        models = [
            model
            for app in COUNTED_APPS
            for model in apps.get_app_config(app).get_models()
            if model._meta.label_lower not in NOT_COUNTED
        ]
        return cls(tuple((model._meta.label_lower, model.objects.count()) for model in models))

    def of(self, label: str) -> int:
        return dict(self.rows)[label]


def context_forms(response) -> Iterator[BaseForm]:
    """The forms of the page, formsets' rows included."""
    context = response.context
    if context is None:
        return
    seen = set()
    for rendered in context if isinstance(context, list) else [context]:
        for value in rendered.flatten().values():
            candidates = value.forms if isinstance(value, BaseFormSet) else [value]
            for form in candidates:
                if isinstance(form, BaseForm) and form.is_bound and id(form) not in seen:
                    seen.add(id(form))
                    yield form


def assert_errors_next_to_fields(response) -> int:
    """Each field in error shows its messages next to it (hidden ones: in the summary).

    Returns the number of fields in error."""
    page = response.content.decode()
    in_error = 0
    for form in context_forms(response):
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            in_error += 1
            field = form[name]
            if field.is_hidden:
                assert all(html.escape(str(e)) in page for e in errors), (field.html_name, errors)
            else:
                assert f'id="{field.auto_id}-message-error"' in page, (field.html_name, errors)
    return in_error


def assert_escaped(response, values: list[str]) -> None:
    page = response.content.decode()
    for value in values:
        if "<" in value and len(value) >= 8:
            assert value not in page, f"echoed unescaped: {value[:60]!r}"


def assert_refused(response, before: Counts, values: list[str], statuses=(200,)) -> None:
    assert response.status_code in statuses, response.status_code
    assert Counts.now() == before
    if response.status_code == 200:
        assert assert_errors_next_to_fields(response) >= 1
        assert_escaped(response, values)


# --- The corpus ----------------------------------------------------------------------------


def test_the_corpus_holds_at_least_200_distinct_hostile_values():
    assert len(HOSTILE_VALUES) == len(set(HOSTILE_VALUES)) >= 200
    assert huge_values(), "the corpus must hold megabyte strings"
    assert any(NUL in value for value in HOSTILE_VALUES)
    assert any("\u202e" in value for value in HOSTILE_VALUES)


# --- The public answer form: every value -----------------------------------------------------

VALUES = ordinary_values()
SLOTS = (
    *(f"actors-0-{name}" for name in ACTOR_FIELDS),
    *(f"referents-0-{name}" for name in REFERENT_FIELDS),
    *ANSWER_FIELDS,
)
ROUNDS = -(-len(VALUES) // len(SLOTS))  # enough for every value to be fired once per pass
# Each pass shifts the values by some slots: every value lands in two different fields.
PASS_SHIFTS = (0, 7)


def rotation(round_: int, shift: int) -> dict[str, str]:
    """One POST of the rotation: every field of an actor row, a référent row and the
    answer holds a corpus value; no consent, so that it is always refused."""
    data = answer_data(consent=None)
    for slot, name in enumerate(SLOTS):
        data[name] = VALUES[(round_ * len(SLOTS) + slot + shift) % len(VALUES)]
    return data


def test_the_rotation_fires_every_value_at_the_public_form_in_two_fields():
    fields_of: dict[str, set[str]] = {}
    for shift in PASS_SHIFTS:
        for round_ in range(ROUNDS):
            for name, value in rotation(round_, shift).items():
                if name in SLOTS:
                    fields_of.setdefault(value, set()).add(name)
    assert set(fields_of) == set(VALUES)
    assert all(len(fields) >= 2 for fields in fields_of.values())


@pytest.fixture
def answer_url(db) -> str:
    CommuneFactory(name="Douarnenez", insee_code="29046", postal_codes="29100")
    return reverse("ami:answer", kwargs={"slug": CampaignFactory().slug})


@pytest.mark.parametrize("shift", PASS_SHIFTS)
def test_every_value_fired_at_the_public_form_is_refused_cleanly(client, answer_url, shift):
    before = Counts.now()
    for round_ in range(ROUNDS):
        data = rotation(round_, shift)
        response = client.post(answer_url, data)
        assert_refused(response, before, list(data.values()))


def every_field(value: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(answer_data(consent=None, **dict.fromkeys(SLOTS, value)))
    return data


@pytest.mark.parametrize("part", range(4))
def test_every_value_in_every_field_at_once_gives_validation_errors_only(answer_url, part):
    """The forms alone (no page), for speed: each value of the corpus, megabytes included,
    in every field of the answer at once."""
    for value in HOSTILE_VALUES[part::4]:
        forms = build_forms(every_field(value))
        assert not forms.is_valid()  # no consent
        if NUL in value:
            for form in forms.parts():
                for name in form.fields:
                    if form.add_prefix(name) in SLOTS and value.strip(" \n"):
                        assert form.errors.get(name), (form.add_prefix(name), repr(value[:20]))


@pytest.mark.parametrize("value", huge_values(), ids=["1MB-x", "1MB-lt"])
@pytest.mark.parametrize("field", ["context", "actors-0-practice_place", "referents-0-email"])
def test_a_megabyte_in_one_field_is_refused_next_to_it(client, answer_url, field, value):
    before = Counts.now()
    response = client.post(answer_url, answer_data(**{field: value}))
    assert_refused(response, before, [value])
    assert 'id="id_' + field + '-message-error"' in response.content.decode()


# --- NUL bytes: every text input of the public form says so, next to it -----------------------


class FormFields(HTMLParser):
    """The forms of a page: method, action, and their fields (name -> kind)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attributes.get("method") or "get").lower(),
                    "action": attributes.get("action") or "",
                    "fields": {},
                }
            )
        elif tag in {"input", "textarea", "select", "button"} and self.forms:
            name = attributes.get("name")
            kind = attributes.get("type", "text") if tag == "input" else tag
            if name and kind not in {"reset", "image"}:
                self.forms[-1]["fields"].setdefault(name, kind)


def page_forms(response) -> list[dict]:
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.forms


TEXT_KINDS = {"text", "email", "tel", "url", "search", "date", "time", "number", "textarea"}
NOT_FIRED = {"csrfmiddlewaretoken", "website"}  # the honeypot: a bot's 400, tested elsewhere


def text_inputs(url: str, client: Client) -> list[str]:
    (form,) = [form for form in page_forms(client.get(url)) if form["method"] == "post"]
    return [
        name
        for name, kind in form["fields"].items()
        if kind in TEXT_KINDS | {"hidden"}
        and name not in NOT_FIRED
        and "__prefix__" not in name  # the empty row the script copies
        and not name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"))
    ]


def test_the_public_form_has_the_text_inputs_this_file_fires_at(client, answer_url):
    inputs = set(text_inputs(answer_url, client))
    # The address of « Reprendre plus tard » is read only by that button, through
    # ami.forms.ResumeLinkForm (tests/security/test_single_line_fields.py) and
    # tests/ami/test_drafts.py (a draft keeps none of it).
    fired = set(SLOTS) | {"territory-commune_codes", "resume_email"}
    assert inputs <= fired, f"new inputs to add to SLOTS: {sorted(inputs - fired)}"


def nul_cases() -> list:
    """Every text input of the public form but the territory's hidden codes (below)."""
    cases = [
        *(f"actors-0-{name}" for name in ("name", "profession_other", "practice_place")),
        "actors-0-structure_name",
        *(f"referents-0-{name}" for name in ("name", "function", "email", "phone")),
        "context",
        "territory_text",
        "meeting_wished_by",
        "meeting_wish",
        "form_token",
        "territory-add_communes",
        "territory-add_epci",
    ]
    return cases


def bound_field(response, html_name: str):
    for form in context_forms(response):
        for name in form.fields:
            if form.add_prefix(name) == html_name:
                return form[name]
    raise AssertionError(f"no field {html_name} on the page")


# Fields whose parsing fails before the NUL check: their own message is as good.
PARSED_FIELDS = {"meeting_wished_by", "form_token"}


@pytest.mark.parametrize("field", nul_cases())
def test_a_nul_byte_in_any_text_input_is_refused_next_to_it(client, answer_url, field):
    before = Counts.now()
    value = "nom@example.org\x00" if field.endswith("email") else "Douarnenez\x00"
    response = client.post(answer_url, answer_data(**{field: value}))
    assert_refused(response, before, [value])
    errors = bound_field(response, field).errors
    assert errors, f"{field}: no error"
    if field not in PARSED_FIELDS:
        assert NUL_MESSAGE in errors, errors


def test_a_nul_byte_in_the_territorys_hidden_codes_never_reaches_the_database(
    client, answer_url, no_nul_reaches_the_database
):
    leaks = no_nul_reaches_the_database
    try:
        response = client.post(answer_url, answer_data(**{"territory-commune_codes": "29046\x00"}))
        assert response.status_code == 200
        assert leaks == []
    finally:
        leaks.clear()  # reported here, not again at teardown


# --- Request-level attacks at the public form -------------------------------------------------


def raw_post(client: Client, url: str, body: bytes, content_type: str):
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"context": "<script>alert(1)</script>", "consent": "on"}', "application/json"),
        (b"context=bonjour&consent=on", "text/plain"),
        (b"<answer><context>&xxe;</context></answer>", "application/xml"),
        (b"context=%FF%FE%C3%28&consent=on", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00c\x00o\x00n", "application/x-www-form-urlencoded; charset=utf-16"),
        (b"context=a", "application/x-www-form-urlencoded; charset=klingon"),
        (b"--x\r\nContent-Disposition: form-data; name=context\r\n\r\nA", "multipart/form-data"),
        (
            b"--x\r\nContent-Disposition: form-data\r\n\r\nA\r\n--x--",
            "multipart/form-data; boundary=x",
        ),
        (b"garbage", "multipart/form-data; boundary=" + "x" * 200),
        (b"", "multipart/form-data; boundary=\x00"),
    ],
    ids=["json", "text", "xml", "bad-utf8", "utf16", "bad-charset", "no-boundary",
         "nameless-part", "long-boundary", "nul-boundary"],
)  # fmt: skip
def test_wrong_content_types_are_refused_without_error_or_storage(
    client, answer_url, body, content_type
):
    before = Counts.now()
    response = raw_post(client, answer_url, body, content_type)
    assert response.status_code in {200, 400}
    assert Counts.now() == before


def test_a_body_over_the_upload_limit_is_a_400(client, answer_url, settings):
    before = Counts.now()
    body = urlencode(answer_data(context="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))
    response = raw_post(client, answer_url, body.encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Counts.now() == before


def test_an_oversized_multipart_body_is_a_400(client, answer_url, settings):
    before = Counts.now()
    data = answer_data(context="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert client.post(answer_url, data).status_code == 400
    assert Counts.now() == before


def test_too_many_fields_is_a_400(client, answer_url, settings):
    before = Counts.now()
    data = answer_data(**{f"extra{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)})
    assert client.post(answer_url, data).status_code == 400
    assert Counts.now() == before


def test_too_many_files_is_a_400(client, answer_url, settings):
    before = Counts.now()
    files = {
        f"file{n}": SimpleUploadedFile(f"{n}.txt", b"x")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }
    assert client.post(answer_url, {**answer_data(), **files}).status_code == 400
    assert Counts.now() == before


def test_files_in_place_of_the_text_fields_are_refused(client, answer_url):
    before = Counts.now()
    data = answer_data(context=None, **{"referents-0-email": None})
    data["context"] = SimpleUploadedFile("<script>.txt", b"<script>alert(1)</script>", "text/html")
    data["referents-0-email"] = SimpleUploadedFile("a.txt", b"nom@example.org")
    assert_refused(client.post(answer_url, data), before, [])


@pytest.mark.parametrize(
    "management",
    [
        {"actors-TOTAL_FORMS": "1000000"},
        {"actors-TOTAL_FORMS": "-1"},
        {"actors-TOTAL_FORMS": "1e9"},
        {"actors-TOTAL_FORMS": "٣"},
        {"actors-INITIAL_FORMS": "5"},
        {"referents-TOTAL_FORMS": "99999999999999999999999"},
        {"referents-MAX_NUM_FORMS": "100000", "referents-TOTAL_FORMS": "11"},
        {"actors-TOTAL_FORMS": None},
        {"add_row": "actors", "actors-TOTAL_FORMS": "99999999999999999999999"},
        {"add_row": "../../etc/passwd"},
    ],
)
def test_tampered_formset_management_data_is_all_or_nothing(client, answer_url, management):
    """Refused, or (a harmless change: "٣" is a 3, an unknown button is ignored) the whole
    answer stored; never a part of it, never more rows than allowed."""
    before = Counts.now()
    response = client.post(answer_url, answer_data(**management))
    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert Counts.now() == before
    else:
        submission = Submission.objects.get()
        assert (submission.actors.count(), submission.referents.count()) == (1, 1)
    rows = response.context["actor_formset"].forms if response.status_code == 200 else []
    assert len(rows) <= 50


def test_the_honeypot_answers_400_and_stores_nothing(client, answer_url):
    before = Counts.now()
    assert client.post(answer_url, answer_data(website="http://spam.example")).status_code == 400
    assert Counts.now() == before


@pytest.mark.parametrize("value", [v for v in VALUES if "<" in v][:12])
def test_accepted_markup_is_stored_as_typed_and_shown_escaped(client, answer_url, value):
    response = client.post(answer_url, answer_data(context=value, **{"actors-0-name": value}))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.context == value and submission.actors.get().name == value
    follow = client.get(submission.get_private_url()).content.decode()
    assert value not in follow and html.escape(value) in follow
    agent = UserFactory(roles=[Role.ARS])
    client.force_login(agent)
    staff = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert value not in staff


# --- Forged ids and tokens --------------------------------------------------------------------

TOKENS = [v for v in HOSTILE_VALUES if 0 < len(v) < 200 and "/" not in v and NUL not in v]


def test_forged_tokens_find_no_private_link(client):
    submission = SubmissionFactory()
    before = Counts.now()
    names = ("ami:follow", "ami:edit", "ami:referent_pdf", "ami:referent_message")
    for index, token in enumerate(TOKENS):
        name = names[index % len(names)]
        url = reverse(name, kwargs={"token": token})
        response = client.post(url, {}) if name == "ami:referent_message" else client.get(url)
        assert response.status_code == 404, (name, token)
    assert Counts.now() == before
    assert client.get(submission.get_private_url()).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/suivi/%00/",
        "/suivi/..%2F..%2Fadmin/",
        "/suivi/%2e%2e/",
        "/suivi/" + "A" * 5000 + "/",
        "/tableau-de-bord/reponses/99999999999999999999999/",
        "/tableau-de-bord/lots-pdf/00000000-0000-0000-0000-000000000000/",
        "/projets/99999999999999999999999/",
        "/projets/1/jalons/99999999999999999999999/",
        "/territoires/99999999999999999999999/",
        "/ami/%3Cscript%3E/",
        "/ami/x/confirmation/99999999999999999999999/",
        "/tableau-de-bord/export.exe",
    ],
)
def test_forged_ids_in_urls_are_not_found(client, path):
    client.force_login(UserFactory(roles=[Role.ARS]))
    assert client.get(path).status_code in {302, 404}


def edit_data(submission: Submission, **overrides) -> dict[str, str]:
    actor, referent = submission.actors.get(), submission.referents.get()
    data = answer_data(
        consent=None,
        **{
            "actors-INITIAL_FORMS": "1",
            "actors-0-id": str(actor.pk),
            "referents-INITIAL_FORMS": "1",
            "referents-0-id": str(referent.pk),
            "form_token": str(submission.form_token),
        },
    )
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_referent_cannot_edit_the_rows_of_another_answer(client):
    mine, theirs = SubmissionFactory(), SubmissionFactory()
    their_actor, their_referent = theirs.actors.get(), theirs.referents.get()
    url = reverse("ami:edit", kwargs={"token": mine.access_token})
    before = Counts.now()
    for forged in (
        {"actors-0-id": str(their_actor.pk), "actors-0-name": "Volé"},
        {"referents-0-id": str(their_referent.pk), "referents-0-email": "pirate@example.org"},
        {"actors-0-submission": str(theirs.pk)},
        {"actors-0-id": str(their_actor.pk), "actors-0-DELETE": "on", "actors-TOTAL_FORMS": "2"},
    ):
        response = client.post(url, edit_data(mine, **forged))
        assert response.status_code == 200, forged
        page = response.content.decode()
        assert "rechargez la page" in page or assert_errors_next_to_fields(response), forged
    assert Counts.now() == before
    their_actor.refresh_from_db()
    their_referent.refresh_from_db()
    assert their_actor.name != "Volé" and their_referent.email != "pirate@example.org"


@pytest.mark.parametrize("shift", [0, 101])
def test_the_referents_edit_form_refuses_the_corpus_cleanly(client, shift):
    submission = SubmissionFactory()
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    before = Counts.now()
    fields = [name for name in SLOTS if name not in {"objectives", "actors-0-id"}]
    for round_ in range(4):
        data = edit_data(submission, objectives="")  # always refused: an objective is required
        for index, name in enumerate(fields):
            data[name] = VALUES[(shift + round_ * len(fields) + index) % len(VALUES)]
        assert_refused(client.post(url, data), before, list(data.values()))


def test_the_referents_messages_refuse_bad_text_and_store_good_text_escaped(client):
    submission = SubmissionFactory()
    url = reverse("ami:referent_message", kwargs={"token": submission.access_token})
    for value in VALUES[::4]:
        before = Counts.now()
        response = client.post(url, {"reponse-text": value})
        stored = Counts.now() != before
        expected = bool(value.strip()) and NUL not in value and len(value.strip()) <= 5000
        # Refused: the page again, the error next to the field; stored: back to the thread.
        assert response.status_code == (302 if expected else 200)
        assert stored == expected, repr(value[:40])
        if stored:
            label = "ami.submissionevent"
            assert Counts.now().of(label) == before.of(label) + 1
    page = client.get(submission.get_private_url()).content.decode()
    assert_escaped(type("R", (), {"content": page.encode()})(), VALUES[::4])


# --- Every other form: its fields found on its page, a sample of the corpus -------------------


def fire_at_forms(
    client: Client, page_url: str, values: list[str], rounds: int = 2, files: bool = True
) -> int:
    """POST (or GET) every form of the page but the sign-out ones, each field holding a
    corpus value; returns the number of requests. Checks each answer."""
    sent = 0
    for form in page_forms(client.get(page_url)):
        action = form["action"] or page_url
        if "deconnexion" in action or not form["fields"]:
            continue
        names = [name for name in form["fields"] if name != "csrfmiddlewaretoken"]
        for round_ in range(rounds):
            data: dict = {}
            for index, name in enumerate(names):
                value = values[(round_ * len(names) + index + sent) % len(values)]
                if form["fields"][name] == "file":
                    data[name] = SimpleUploadedFile(
                        value[:80].replace("\x00", "") or "x", value.encode()[:2000], "text/html"
                    )
                else:
                    data[name] = value
            before = Counts.now()
            if form["method"] == "get":
                response = client.get(action, {k: v for k, v in data.items() if isinstance(v, str)})
            else:
                response = client.post(action, data)
            sent += 1
            check_answer(response, before, list(map(str, data.values())), action)
    return sent


def check_answer(response, before: Counts, values: list[str], action: str) -> None:
    assert response.status_code < 500, action
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        assert_escaped(response, values)
        if assert_errors_next_to_fields(response):
            assert Counts.now() == before, action


SAMPLE = VALUES[3::5]


@pytest.fixture
def ars_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=[Role.ARS]))
    return client


@pytest.mark.parametrize(
    "status", [Submission.Status.RECEIVED, Submission.Status.IN_REVIEW, Submission.Status.CLOSED]
)
def test_the_staff_actions_refuse_the_corpus_cleanly(ars_client, status):
    submission = SubmissionFactory(status=status)
    assert fire_at_forms(ars_client, reverse("staff:submission", args=[submission.pk]), SAMPLE)
    page = ars_client.get(reverse("staff:submission", args=[submission.pk]))
    assert_escaped(page, SAMPLE)


@pytest.mark.parametrize("url_name", ["staff:dashboard", "staff:statistics", "staff:personal_data"])
def test_the_staff_lists_and_searches_refuse_the_corpus_cleanly(ars_client, url_name):
    SubmissionFactory()
    assert fire_at_forms(ars_client, reverse(url_name), SAMPLE, rounds=4)
    for value in SAMPLE[:10]:
        export = reverse("staff:export", kwargs={"extension": "csv"})
        assert ars_client.get(export, {"q": value}).status_code == 200


def test_the_admin_search_refuses_the_corpus_cleanly(ars_client):
    SubmissionFactory()
    for value in SAMPLE[::2]:
        for name in ("admin:ami_submission_changelist", "admin:ami_accesslog_changelist"):
            assert ars_client.get(reverse(name), {"q": value}).status_code in {200, 302}


# --- The admin of every registered model: a NUL byte in its search, filters, autocomplete ----


def admin_models(searchable: bool = False) -> list[str]:
    """The labels of the models of ``admin.site``, Django's and third parties' included."""
    return sorted(
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields or not searchable
    )


def changelist_url(label: str) -> str:
    return reverse(admin_urlname(apps.get_model(label)._meta, "changelist"))


def relation_to(label: str) -> dict[str, str] | None:
    """The parameters of the admin's autocomplete for a relation to this model, if any."""
    target = apps.get_model(label)
    for model in apps.get_models():
        for field in (*model._meta.fields, *model._meta.many_to_many):
            if field.remote_field and field.remote_field.model is target:
                opts = model._meta
                return {
                    "app_label": opts.app_label,
                    "model_name": opts.model_name,
                    "field_name": field.name,
                }
    return None


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    return client


@pytest.mark.parametrize("label", admin_models(searchable=True))
def test_every_admin_search_answers_a_nul_byte(superuser_client, label):
    response = superuser_client.get(changelist_url(label), {"q": "a\x00b"})
    assert response.status_code == 200
    assert response.context["cl"].query == "ab"  # searched for, where Django would refuse it
    if relation := relation_to(label):
        autocomplete = superuser_client.get(
            reverse("admin:autocomplete"), {**relation, "term": "a\x00b"}
        )
        assert autocomplete.status_code == 200, relation


@pytest.mark.parametrize("label", admin_models())
def test_every_admin_list_filter_answers_a_nul_byte(superuser_client, label):
    url = changelist_url(label)
    changelist = superuser_client.get(url).context["cl"]
    parameters = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    for name in parameters:
        # A value the filter cannot read is sent back to the list ("?e=1"): followed, a 200.
        response = superuser_client.get(url, {name: "a\x00b"}, follow=True)
        assert response.status_code == 200, name


def test_the_territory_builder_refuses_the_corpus_cleanly(ars_client):
    CommuneFactory(name="Douarnenez", insee_code="29046", postal_codes="29100")
    assert fire_at_forms(ars_client, reverse("territories:territory_create"), SAMPLE, rounds=4)


def test_the_commune_search_answers_json_to_every_value(client):
    CommuneFactory(name="Douarnenez", insee_code="29046", postal_codes="29100")
    url = reverse("territories:commune_search")
    for value in HOSTILE_VALUES:
        response = client.get(url, {"q": value})
        assert response.status_code == 200, repr(value[:40])
        assert isinstance(response.json()["results"], list)


def test_the_sign_in_page_refuses_the_corpus_cleanly(client, settings):
    settings.AXES_FAILURE_LIMIT = 1000  # the lockout is tested elsewhere
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    UserFactory(username="agent")
    for value in SAMPLE:
        response = client.post(reverse("login"), {"username": value, "password": value})
        assert response.status_code == 200, repr(value[:40])
        assert_escaped(response, [value])
        assert "_auth_user_id" not in client.session


@pytest.fixture
def project_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ars = UserFactory(roles=[Role.ARS])
    coordinator = CoordinatorFactory()
    project = CptsProjectFactory(coordinators=[coordinator], by=ars)
    return ars, coordinator, project


def project_pages(project) -> list[str]:
    milestone = project.milestones.first()
    return [
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:holder", args=[project.pk]),
        reverse("projects:letter", args=[project.pk]),
        reverse("projects:milestone", args=[project.pk, milestone.pk]),
    ]


def test_the_project_forms_refuse_the_corpus_cleanly(project_world):
    ars, coordinator, project = project_world
    for user, pages in (
        (coordinator, project_pages(project)),
        (ars, [reverse("projects:create"), reverse("projects:edit", args=[project.pk])]),
    ):
        client = Client()
        client.force_login(user)
        sent = 0
        for page in pages:
            assert client.get(page).status_code == 200, page
            sent += fire_at_forms(client, page, SAMPLE, rounds=1)
        assert sent >= len(pages), "some of these pages lost their forms"
