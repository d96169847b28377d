"""The name proposed for a project created from an AMI answer.

The ARS gives the name; the portal only proposes one, from the reference geography of the
answer's territory: its main EPCI (« CA Fougères Agglomération » → « CPTS du pays de
Fougères »), else its main commune (« CPTS de Vitré »). Never from the free text the
professionals typed (« CPTS Pays de Fougères : Fougères Agglomération, éventuellement… »).
Pure functions over plain values.
"""

import re

from django.utils.translation import gettext as _

# The legal form that opens or closes an EPCI's name in the reference data.
EPCI_PREFIX = re.compile(
    r"^(CC|CA|CU|Métropole de|Communauté (de communes|d['’]agglomération|urbaine))\s+",
    re.IGNORECASE,
)
EPCI_SUFFIX = re.compile(
    r"\s+(Communauté|Agglomération|Agglo|Métropole|Communauté d['’]agglomération)$",
    re.IGNORECASE,
)
# « CC Communauté Lesneven… », « CC du Kreiz-Breizh (CCKB) »: the form again, an acronym.
LEADING_FORM = re.compile(r"^Communauté\s+", re.IGNORECASE)
ACRONYM = re.compile(r"\s*\([^)]*\)$")
ARTICLE = re.compile(r"^(du|de|des|de la|de l['’]|d['’])\s*", re.IGNORECASE)
VOWELS = "aeiouyhâàéèêëîïôöûüœ"


def of(name: str) -> str:
    """« de Vitré », « d’Auray » (elision before a vowel or a mute h)."""
    return f"d’{name}" if name[:1].lower() in VOWELS else f"de {name}"


def name_from_epci(epci_name: str) -> str:
    """« CPTS du pays de Fougères » from « CA Fougères Agglomération »; « CPTS du Pays de
    Landerneau-Daoulas » from « CC du Pays de Landerneau-Daoulas »."""
    core = EPCI_PREFIX.sub("", ACRONYM.sub("", epci_name.strip()))
    core = LEADING_FORM.sub("", core)
    if ARTICLE.match(core):
        return f"CPTS {core}"
    core = EPCI_SUFFIX.sub("", core).strip()
    if core.lower().startswith("pays "):
        return f"CPTS du {core}"
    return f"CPTS du pays {of(core)}"


def name_from_commune(commune_name: str) -> str:
    return f"CPTS {of(commune_name.strip())}"


def suggested_project_name(epci_name: str | None, commune_name: str | None, reference: str) -> str:
    """The proposed name: from the main EPCI, else the main commune, else the answer."""
    if epci_name:
        return name_from_epci(epci_name)
    if commune_name:
        return name_from_commune(commune_name)
    return _("Projet issu de la réponse %(reference)s") % {"reference": reference}
