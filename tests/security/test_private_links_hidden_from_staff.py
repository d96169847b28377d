"""No staff page, admin page or export shows a référent's private link (#12, finding 6).

The emails of an answer carry the référents' private links (``/suivi/<token>/``): whoever
holds one reads and changes the answer as the référent. Agents see those emails in the
admin (to resend failed ones), in the answer's timeline, in the RGPD export: the link is
masked in all of them, for every staff role and for a superuser. The email sent keeps it.
"""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ami.models import Submission
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

REFERENT = "anne.legoff@example.org"
STAFF = ("ars", "urps", "am", "superuser")


@pytest.fixture
def answered(settings):
    """An answer sent through the public form; its emails are in the outbox."""
    settings.RATELIMIT_ENABLED = False
    campaign = CampaignFactory()
    response = Client().post(
        reverse("ami:answer", kwargs={"slug": campaign.slug}),
        answer_data(**{"referents-0-email": REFERENT}),
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    # The emails hold the link when sent: the référent needs it.
    acknowledgement = OutgoingEmail.objects.get(recipient=REFERENT)
    assert submission.access_token in acknowledgement.body_text
    assert submission.access_token in acknowledgement.body_html
    return submission


def staff_client(who: str) -> Client:
    if who == "superuser":
        user = get_user_model().objects.create_superuser("chef", "chef@ars.sante.fr", "x" * 16)
    else:
        roles = {"ars": Role.ARS, "urps": Role.URPS, "am": Role.ASSURANCE_MALADIE}
        user = UserFactory(roles=[roles[who]])
    client = Client()
    client.force_login(user)
    return client


def readable(response) -> str:
    """The response's text, with the members of a zip (XLSX, ODS) and a PDF's text."""
    content = b"".join(response) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    if content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


def staff_responses(client: Client, submission: Submission) -> dict[str, object]:
    responses = {}
    for email in OutgoingEmail.objects.all():
        for view in ("change", "history"):
            url = reverse(f"admin:notifications_outgoingemail_{view}", args=[email.pk])
            responses[url] = client.get(url)
    for url in (
        reverse("admin:notifications_outgoingemail_changelist"),
        reverse("admin:notifications_outgoingemail_changelist") + "?q=suivi",
        reverse("admin:ami_submission_changelist"),
        reverse("admin:ami_submission_change", args=[submission.pk]),
        reverse("staff:dashboard"),
        reverse("staff:submission", args=[submission.pk]),
        reverse("staff:submission_pdf", args=[submission.pk]),
        *(reverse("staff:export", kwargs={"extension": ext}) for ext in ("csv", "xlsx", "ods")),
    ):
        responses[url] = client.get(url)
    for name in ("staff:personal_data", "staff:personal_data_file"):
        url = reverse(name)
        responses[f"POST {url}"] = client.post(url, {"email": REFERENT})
    return responses


@pytest.mark.parametrize("who", STAFF)
def test_no_staff_page_admin_page_or_export_shows_a_private_link(answered, who):
    client = staff_client(who)
    responses = staff_responses(client, answered)

    leaking = [url for url, r in responses.items() if answered.access_token in readable(r)]
    assert leaking == [], f"As {who}, the private link is readable on: {leaking}"
    # The pages were really shown to those allowed to see them, bodies included.
    if who in ("ars", "superuser"):
        email = OutgoingEmail.objects.get(recipient=REFERENT)
        change = responses[reverse("admin:notifications_outgoingemail_change", args=[email.pk])]
        assert change.status_code == 200
        page = change.content.decode()
        assert "/suivi/[masqué]" in page
        assert email.body_text.split("/suivi/")[0].strip().splitlines()[0] in page
        assert responses[f"POST {reverse('staff:personal_data_file')}"].status_code == 200
    assert responses[reverse("staff:submission", args=[answered.pk])].status_code == 200
    assert responses[reverse("staff:export", kwargs={"extension": "csv"})].status_code == 200
