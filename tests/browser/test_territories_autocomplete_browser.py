"""The territory autocomplete script (static/js/autocomplete.js) on a commune input, in a real
browser, against the real JSON endpoint (the EPCI field: test_territories_pages_browser.py).

No page uses CommuneField yet: the test opens the home page (it includes base.html, hence
the script) and adds an input and its datalist as CommuneInput renders them.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADD_COMMUNE_INPUT = """url => {
    const input = document.createElement("input");
    input.type = "text";
    input.id = "id_commune";
    input.autocomplete = "off";
    input.setAttribute("list", "id_commune-communes");
    input.dataset.communeAutocomplete = url;
    const datalist = document.createElement("datalist");
    datalist.id = "id_commune-communes";
    document.querySelector("main").append(input, datalist);
}"""
OPTION_VALUES = "options => options.map(option => option.value)"


def test_typing_fills_the_datalist_from_the_endpoint(page):
    call_command("load_geography", "--departements", "29", verbosity=0)
    # Only this script's errors: the home page has others of its own (see the report).
    errors: list[str] = []
    page.on(
        "pageerror",
        lambda error: "/js/autocomplete.js" in (error.stack or "") and errors.append(str(error)),
    )
    requests: list[str] = []
    page.on(
        "request",
        lambda request: "/territoires/communes/" in request.url and requests.append(request.url),
    )
    page.on(
        "response",
        lambda response: (
            "/territoires/communes/" in response.url
            and response.status != 200
            and errors.append(f"{response.status} {response.url}")
        ),
    )
    page.goto("/")
    assert page.locator("script[src$='/js/autocomplete.js']").count() == 1
    page.evaluate(ADD_COMMUNE_INPUT, reverse("territories:commune_search"))
    commune = page.locator("#id_commune")
    options = page.locator("#id_commune-communes option")

    commune.press_sequentially("quimp")
    expect(options).to_have_count(2)

    assert options.evaluate_all(OPTION_VALUES) == [
        "Quimper (29) — 29000",
        "Quimperlé (29) — 29300",
    ]
    # Debounced: five keystrokes, far fewer requests (one, unless the machine is slow).
    assert 1 <= len(requests) <= 2
    assert requests[-1].endswith("?q=quimp")

    # Accents, case and "St" do not matter to the server.
    commune.fill("st thegonnec")
    expect(options).to_have_count(1)
    assert options.evaluate_all(OPTION_VALUES) == ["Saint-Thégonnec Loc-Eguiner (29) — 29410"]

    # Below two characters the list empties without asking the server.
    before = len(requests)
    commune.fill("q")
    expect(options).to_have_count(0)
    page.wait_for_timeout(400)
    assert len(requests) == before
    assert errors == []
