"""The dashboard's rows, written in Python (``selectors.dashboard_rows``): the same cells as
the template wrote, escaped, hidden columns included."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ami.models import Submission
from tests.factories import ActorFactory, CampaignFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("staff:dashboard")


def row_of(page: str, submission: Submission) -> str:
    """The ``<tr>`` of ``submission``, whitespace between tags removed."""
    start = page.rindex("<tr>", 0, page.index(f'value="{submission.pk}" id="selection-'))
    row = page[start : page.index("</tr>", start) + len("</tr>")]
    return re.sub(r">\s+<", "><", row)


def test_a_row_shows_every_cell_escaped_with_the_columns_not_chosen_hidden(as_user, owner):
    campaign = CampaignFactory(edition="Édition <2026>")
    submission = SubmissionFactory(
        campaign=campaign,
        wants_information=True,
        has_reflection=False,
        has_initiative=True,
        territory_text="Pays de Douarnenez & Cap Sizun, de la baie aux îles, sans oublier Sein",
        status=Submission.Status.IN_REVIEW,
        assignee=owner,
    )
    submission.actors.all().delete()  # the factory's
    for name in ("Dr Anne <Le Gall>", "Dr Bruno Martin", "Dr Claire Riou"):
        ActorFactory(submission=submission, name=name, practice_place="Douarnenez")
    moment = timezone.make_aware(datetime(2026, 3, 2, 23, 30))  # Paris time
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=moment, status_changed_at=moment
    )
    page = as_user(owner).get(DASHBOARD).content.decode()
    url = reverse("staff:submission", args=[submission.pk])
    time = '<time datetime="2026-03-02T23:30:00+01:00">02/03/2026</time>'
    assert row_of(page, submission) == (
        "<tr>"
        '<td class="portal-select-cell"><div class="fr-checkbox-group fr-checkbox-group--sm">'
        f'<input type="checkbox" name="lot-selection" value="{submission.pk}"'
        f' id="selection-{submission.pk}" data-select-row>'
        f'<label class="fr-label" for="selection-{submission.pk}"><span class="fr-sr-only">'
        f"Sélectionner {submission.reference}</span></label></div></td>"
        f'<th scope="row" data-column="reference"><a href="{url}">{submission.reference}</a></th>'
        f'<td data-column="recue">{time}</td>'
        '<td data-column="acteur">Dr Anne &lt;Le Gall&gt; <span class="fr-text--xs">et 2 autres'
        '</span><br><span class="fr-text--xs">Douarnenez</span></td>'
        '<td data-column="territoire">Pays de Douarnenez &amp; Cap Sizun, de la baie aux îles, '
        "sans o…</td>"
        '<td data-column="objectifs"><ul class="portal-objectives"><li>Information</li>'
        "<li>Initiative</li></ul></td>"
        '<td data-column="statut"><span class="fr-badge fr-badge--sm fr-badge--no-icon '
        'portal-status portal-status--in_review">En cours d&#x27;analyse</span></td>'
        '<td data-column="agent">Anne Kervella</td>'
        '<td data-column="campagne" hidden>Édition &lt;2026&gt;</td>'
        f'<td data-column="statut_depuis" hidden>{time}</td>'
        '<td data-column="orientation" hidden>—</td>'
        "</tr>"
    )


def test_a_row_without_actor_nor_agent_shows_dashes(as_user, owner):
    submission = SubmissionFactory(territory_text="", has_reflection=False)
    submission.actors.all().delete()
    page = as_user(owner).get(DASHBOARD).content.decode()
    row = row_of(page, submission)
    assert '<td data-column="acteur">—</td>' in row
    assert '<td data-column="territoire">—</td>' in row
    assert '<td data-column="objectifs"><ul class="portal-objectives"></ul></td>' in row
    assert '<td data-column="agent"><span class="fr-text--xs">Non attribuée</span></td>' in row


def test_the_columns_chosen_are_not_hidden(as_user, owner):
    submission = SubmissionFactory()
    client = as_user(owner)
    columns = ["campagne", "orientation"]
    response = client.post(reverse("staff:dashboard_columns"), {"colonnes-columns": columns})
    assert response.status_code == 302
    row = row_of(client.get(DASHBOARD).content.decode(), submission)
    assert '<td data-column="campagne">' in row
    assert '<td data-column="orientation">' in row
    assert '<td data-column="recue" hidden>' in row
    assert '<td data-column="statut" hidden>' in row
