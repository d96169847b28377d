"""One history: ``cpts_portal.history.record_event`` writes the answers' and the projects'
events with the same columns, and is the only code that creates them."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ami.models import Submission, SubmissionEvent
from cpts_portal.history import Event, record_event
from projects.models import ProjectEvent, Stage
from tests.factories import CptsProjectFactory, SubmissionFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_an_answer_and_a_project_record_the_same_columns():
    agent = UserFactory(first_name="Anne", last_name="Agent", roles=["ARS"])
    answer = SubmissionFactory()
    project = CptsProjectFactory()
    for subject, kind, source, target in [
        (answer, SubmissionEvent.Kind.STATUS_CHANGED, "received", "in_review"),
        (project, ProjectEvent.Kind.STAGE_CHANGED, Stage.DRAFT, Stage.LETTER_DEPOSITED),
    ]:
        event = record_event(
            subject,
            kind,
            by=agent,
            comment="Pris en main",
            data={"n": 1},
            from_state=source,
            to_state=target,
        )
        event.refresh_from_db()
        assert isinstance(event, Event) and event.subject == subject
        assert (event.kind, event.author, event.author_label, event.comment, event.data) == (
            kind,
            agent,
            "Anne Agent",
            "Pris en main",
            {"n": 1},
        )
        assert (event.from_state, event.to_state) == (source, target)
        assert subject.events.last() == event


@pytest.mark.django_db
def test_an_event_without_author_names_where_it_comes_from():
    answer_event = record_event(
        SubmissionFactory(), SubmissionEvent.Kind.MESSAGE, by=AnonymousUser(), comment="Bonjour"
    )
    project_event = record_event(CptsProjectFactory(), ProjectEvent.Kind.EDITED)
    assert answer_event.author is None and answer_event.author_label == "Référent (lien privé)"
    assert project_event.author is None and project_event.author_label == "Système"


@pytest.mark.django_db
def test_the_event_models_own_fields_pass_through():
    answer = SubmissionFactory()
    then = timezone.now() - timedelta(days=3)
    event = record_event(
        answer, SubmissionEvent.Kind.EDITED, changes=["Acteur ajouté"], created_at=then
    )
    event.refresh_from_db()
    assert (event.changes, event.created_at, event.data) == (["Acteur ajouté"], then, {})


@pytest.mark.django_db
def test_a_kind_the_subjects_history_does_not_know_is_refused():
    with pytest.raises(ValueError, match="stage_changed"):
        record_event(SubmissionFactory(), ProjectEvent.Kind.STAGE_CHANGED)
    assert not SubmissionEvent.objects.exists()


def test_both_histories_have_the_same_columns():
    def columns(model) -> set[str]:
        return {field.name for field in model._meta.concrete_fields} - {"id"}

    shared = {"kind", "created_at", "author", "from_state", "to_state", "comment", "data"}
    assert columns(SubmissionEvent) == shared | {"submission", "changes"}
    assert columns(ProjectEvent) == shared | {"project"}
    assert Submission.Status.RECEIVED in dict(SubmissionEvent._meta.get_field("to_state").choices)


def event_creations(path: Path) -> list[str]:
    """Calls that create an event other than through record_event, in this source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id.endswith("Event") and func.id != "Event":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {func.id}(...)")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in {"objects", "events"}
        ):
            owner = func.value.value
            name = owner.id if isinstance(owner, ast.Name) else ast.unparse(owner)
            if name.endswith("Event") or func.value.attr == "events":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(func)}(...)")
    return found


def test_record_event_is_the_only_writer_of_events():
    sources = [
        path
        for app in ("ami", "projects", "territories", "notifications", "cpts_portal")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "history.py"
    ]
    creations = [call for path in sources for call in event_creations(path)]
    assert not creations, "Events created without record_event:\n" + "\n".join(creations)
