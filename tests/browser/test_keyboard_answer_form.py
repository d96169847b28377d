"""A professional answers the AMI with the keyboard only (RGAA 7.3, 12.7, 12.8, 11.10).

No click and no ``fill``: only ``page.keyboard.press`` of Tab, Shift+Tab, Space and Enter,
and ``page.keyboard.type`` for the text. The test follows the focus from the skip link to
the confirmation page:

- the first Tab reaches the « Contenu » skip link, Enter moves the focus to ``<main>``;
- Tab then visits the form's controls in reading order, the honeypot never;
- a first submit, without objective nor consent, comes back with the error summary
  focused (static/js/portal.js); its links move the focus to the fields in error;
- the DSFR checkboxes are toggled with Space; Enter on the button sends the form.
"""

import pytest

from ami.models import Submission
from tests.factories import CampaignFactory

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const element = document.activeElement;
  return {
    id: element.id,
    tag: element.tagName.toLowerCase(),
    type: element.type || "",
    text: (element.innerText || "").trim(),
    href: element.getAttribute("href") || "",
    checked: Boolean(element.checked),
    visible: element.getClientRects().length > 0,
  };
}"""

# What the professional types when the focus reaches each field. A closed select picks
# the first option starting with the letters typed (no space: Space opens the list).
ANSWERS = {
    "id_actors-0-name": "Dr Anne Le Goff",
    "id_actors-0-profession": "Infirmier",  # ou infirmière
    "id_actors-0-practice_place": "Douarnenez",
    "id_actors-0-practice_setting": "Maison",  # de santé pluriprofessionnelle (MSP)
    "id_referents-0-name": "Anne Le Goff",
    "id_referents-0-email": "anne.legoff@example.org",
    "id_referents-0-phone": "02 98 92 12 34",
    "id_context": "Nous réfléchissons à une CPTS sur le pays de Douarnenez.",
    "id_meeting_wish": "En septembre, plutôt en soirée",
}

# The controls of the form, in the order Tab reaches them after the skip link.
FOCUS_ORDER = [
    "button: Le texte de l’appel à manifestation d’intérêt",
    "id_actors-0-name",
    "id_actors-0-profession",
    "id_actors-0-profession_other",
    "id_actors-0-practice_place",
    "id_actors-0-practice_setting",
    "id_actors-0-structure_name",
    "button: Ajouter un acteur",
    "id_referents-0-name",
    "id_referents-0-function",
    "id_referents-0-email",
    "id_referents-0-phone",
    "button: Ajouter un référent",
    "id_objectives_0",
    "id_objectives_1",
    "id_objectives_2",
    "id_context",
    "id_territory_text",
    "id_territory-add_communes",
    "id_territory-add_epci",
    "button: Mettre à jour le territoire",
    "id_meeting_wished_by",
    "id_meeting_wish",
    "id_consent",
    "link: Qui traite vos données, pourquoi et combien de temps",
    "button: Envoyer ma réponse",
]


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def name_of(element: dict) -> str:
    """The id of a form control; « button: text » or « link: text » otherwise."""
    if element["tag"] in {"input", "select", "textarea"} and element["id"]:
        return element["id"]
    kind = "link" if element["tag"] == "a" else element["tag"]
    return f"{kind}: {element['text'] or element['id']}"


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    element = focused(page)
    assert element["visible"], f"{key} moved the focus to an invisible element: {element}"
    return element


def tab_to(page, start: str, key: str = "Tab", limit: int = 60) -> list[str]:
    """Press ``key`` until the focus is on what is named ``start...``; return the names."""
    visited = []
    for _ in range(limit):
        visited.append(name_of(press(page, key)))
        if visited[-1].startswith(start):
            return visited
    pytest.fail(f"{key} × {limit} never reached {start!r}; visited: {visited}")


def test_a_professional_answers_with_the_keyboard_only(page):
    campaign = CampaignFactory()
    page.goto(campaign.get_absolute_url())

    # The skip link comes first, is shown when focused, and leads to the content.
    skip_link = press(page, "Tab")
    assert (skip_link["text"], skip_link["href"]) == ("Contenu", "#contenu")
    assert press(page, "Enter")["id"] == "contenu"

    # Tab visits the form in reading order; the answers are typed on the way.
    visited = []
    while not visited or visited[-1] != "button: Envoyer ma réponse":
        assert len(visited) < 60, f"the submit button is out of reach: {visited}"
        visited.append(name_of(press(page, "Tab")))
        if visited[-1] in ANSWERS:
            page.keyboard.type(ANSWERS[visited[-1]])
    # A date input is one Tab stop per part (day, month, year...) in Chromium.
    controls = [name for i, name in enumerate(visited) if i == 0 or visited[i - 1] != name]
    assert controls == FOCUS_ORDER, f"focus order: {visited}"
    several_stops = {name for name in controls if visited.count(name) > 1}
    assert several_stops <= {"id_meeting_wished_by"}, f"focus stuck on {several_stops}"

    # Sent without objective nor consent: the error summary has the focus.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Erreur — ")
    summary = focused(page)
    assert summary["id"] == "erreurs", f"focus after the failed submit: {summary}"
    assert "2 erreurs" in summary["text"]

    # Its first link leads to the objectives; Space checks and unchecks the DSFR boxes.
    assert name_of(press(page, "Tab")).startswith("link: Objectifs attendus")
    checkbox = press(page, "Enter")
    assert (checkbox["id"], checkbox["checked"]) == ("id_objectives_0", False)
    assert press(page, "Space")["checked"] is True
    assert press(page, "Tab")["id"] == "id_objectives_1"
    assert press(page, "Space")["checked"] is True
    assert press(page, "Space")["checked"] is False

    # Back up to the summary: its second link leads to the consent.
    tab_to(page, "link: J’accepte que les données saisies", key="Shift+Tab")
    consent = press(page, "Enter")
    assert (consent["id"], consent["checked"]) == ("id_consent", False)
    assert press(page, "Space")["checked"] is True

    tab_to(page, "button: Envoyer ma réponse")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "/confirmation/" in page.url
    submission = Submission.objects.get()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert f"Votre réponse {submission.reference} a bien été reçue" in heading
    assert submission.wants_information and not submission.has_reflection
    assert submission.context == ANSWERS["id_context"]
    assert submission.meeting_wish == ANSWERS["id_meeting_wish"]
    actor = submission.actors.get()
    assert (actor.name, actor.profession, actor.practice_place, actor.practice_setting) == (
        "Dr Anne Le Goff",
        "infirmier",
        "Douarnenez",
        "msp",
    )
    assert submission.referents.get().email == ANSWERS["id_referents-0-email"]
