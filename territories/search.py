"""Commune search (read functions): by name, postal code or INSEE code, and resolution of
what a person typed into one commune.

A query is parsed into a ``CommuneQuery`` first, so that the labels built here
(``commune_label``, ``commune_choice_label``) and the text people type go through the same
path: every label resolves back to its commune.
"""

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from cpts_portal.fragments import recent_versions
from territories.models import GEOGRAPHY_VERSION, Commune, Epci
from territories.rules import normalize_commune_name

DEFAULT_LIMIT = 20
# Longer input is no commune name (the longest is under 50 characters, plus a label's
# codes): cut it before normalizing and querying.
MAX_QUERY_LENGTH = 150

# Also CommuneField's default error messages, hence lazy; "%(text)s" is what was typed.
UNKNOWN_COMMUNE_MESSAGE = _(
    "Aucune commune ne correspond à « %(text)s ». "
    "Vérifiez l’orthographe ou indiquez le code postal."
)
AMBIGUOUS_COMMUNE_MESSAGE = _(
    "Plusieurs communes correspondent à « %(text)s » : "
    "précisez le code postal ou choisissez dans la liste."
)

# "29000", "2A004": a postal code or an INSEE code (Corsican INSEE codes carry a letter).
_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)
# Start of a postal code, for the autocomplete while the code is being typed.
_POSTAL_PREFIX = re.compile(r"^\d{2,4}$")
# "Quimper (29) — 29000", "Quimper 29000", "Quimper - 29000": a postal code at the end.
_TRAILING_POSTAL_CODE = re.compile(r"^(?P<rest>.*?)[\s—–-]+(?P<postal>\d{5})$")
# "Quimper (29)", "Quimper (29000)", "Saint-Martin (Hautes-Pyrénées, 65)". Only codes
# count: some official names end with words in brackets ("Château-Chinon (Ville)").
_BRACKETED_CODE = re.compile(
    r"^(?P<rest>.*?)\s*\((?:[^(),]*,\s*)?(?P<code>\d{5}|\d{2,3}|2[AB])\)$", re.IGNORECASE
)


@dataclass(frozen=True)
class CommuneQuery:
    """What a search text asks for; empty strings are criteria left out."""

    name: str = ""  #: normalized (``normalize_commune_name``), matched as a prefix
    code: str = ""  #: five characters: an INSEE code or a postal code
    postal_code: str = ""  #: a postal code the commune must have
    postal_prefix: str = ""  #: the start of one of its postal codes
    departement: str = ""  #: INSEE code of its département

    def __bool__(self) -> bool:
        return any((self.name, self.code, self.postal_code, self.postal_prefix))


def parse_commune_query(text: str) -> CommuneQuery:
    """Split a search text into a name and codes.

    Accepts a name, a code, and the label forms "Name (29)", "Name (29000)",
    "Name 29000", "Name (29) — 29000" and "Name (Finistère, 29) — 29000".
    """
    text = " ".join(text.split())[:MAX_QUERY_LENGTH].strip()
    if _CODE.match(text):
        return CommuneQuery(code=text.upper())
    if _POSTAL_PREFIX.match(text):
        return CommuneQuery(postal_prefix=text)
    postal_code = departement = ""
    if match := _TRAILING_POSTAL_CODE.match(text):
        text, postal_code = match["rest"], match["postal"]
    if match := _BRACKETED_CODE.match(text):
        text, code = match["rest"], match["code"].upper()
        if len(code) == 5:
            postal_code = postal_code or code
        else:
            departement = code
    name = normalize_commune_name(text)
    if not name:
        # Only codes were left ("(29) — 29000"): search by postal code alone.
        return CommuneQuery(postal_code=postal_code) if postal_code else CommuneQuery()
    return CommuneQuery(name=name, postal_code=postal_code, departement=departement)


def _has_postal_code(code: str) -> Q:
    # postal_codes is "29000" or "75001 75002 …": a five-digit substring can only be a
    # whole code. The startswith branch is the indexed one (first code).
    return Q(postal_codes__startswith=code) | Q(postal_codes__contains=f" {code}")


# Paris, Lyon and Marseille are single communes in the reference data; their arrondissements
# municipaux keep INSEE codes of their own (75101-75120, 69381-69389, 13201-13216).
_ARRONDISSEMENTS = (
    (75101, 75120, "75056"),
    (69381, 69389, "69123"),
    (13201, 13216, "13055"),
)


def city_of_arrondissement(code: str) -> str:
    """The INSEE code of the city an arrondissement municipal's code belongs to, or ""."""
    if not code.isdigit():
        return ""
    number = int(code)
    return next((city for first, last, city in _ARRONDISSEMENTS if first <= number <= last), "")


def _communes(query: CommuneQuery) -> QuerySet[Commune]:
    """Current communes matching ``query``, best first, ready to be labelled."""
    communes = Commune.objects.filter(is_current=True).select_related("departement", "epci")
    if query.code:
        insee_codes = {query.code, city_of_arrondissement(query.code)} - {""}
        communes = communes.filter(Q(insee_code__in=insee_codes) | _has_postal_code(query.code))
    if query.postal_code:
        communes = communes.filter(_has_postal_code(query.postal_code))
    if query.postal_prefix:
        communes = communes.filter(_has_postal_code(query.postal_prefix))
    if query.departement:
        communes = communes.filter(departement__code=query.departement)
    ordering = [F("population").desc(nulls_last=True), "search_name", "insee_code"]
    if query.name:
        communes = communes.filter(search_name__startswith=query.name).annotate(
            is_other_name=Case(
                When(search_name=query.name, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        ordering.insert(0, "is_other_name")
    return communes.order_by(*ordering)


def search_communes(query: str, limit: int = DEFAULT_LIMIT) -> list[Commune]:
    """Current communes matching ``query``, at most ``limit``, best matches first.

    - five characters of code ("29000", "2A004"): communes having that postal code, and
      the commune with that INSEE code;
    - two to four digits: communes with a postal code starting with them;
    - otherwise a name, matched as a prefix without regard to case, accents, hyphens or
      apostrophes, "St"/"Ste" standing for "Saint"/"Sainte": exact names first, then
      by population, largest first. Label forms are accepted ("Quimper (29) — 29000",
      "Quimper (29)", "Quimper 29000").

    Départements, EPCI are fetched with the communes: rendering them costs no query.
    """
    parsed = parse_commune_query(query)
    if not parsed or limit <= 0:
        return []
    return list(_communes(parsed)[:limit])


# Answers of the search endpoint kept in each process's memory (``fragments`` cache), per
# parsed query and version of the geography: the same text always gets the same answer
# until ``load_geography`` or an edit of the reference data bumps the version.
SEARCH_CACHE_SECONDS = 3600
# The geography's version is read from the shared cache at most this often per process:
# the endpoint's answers are public for an hour (``Cache-Control``), so browsers and proxies
# keep them far longer than another process takes to see a bump.
GEOGRAPHY_VERSION_MAX_AGE = 10.0


def cached_search(query: str, limit: int, render: Callable[[list[Commune]], bytes]) -> bytes:
    """``render(search_communes(query, limit))``, from the cache when the same query (as
    parsed: case, accents, « St » and spacing aside) was answered since the geography last
    changed."""
    parsed = parse_commune_query(query)
    digest = hashlib.blake2b(repr((parsed, limit)).encode(), digest_size=16).hexdigest()
    version = recent_versions(GEOGRAPHY_VERSION, max_age=GEOGRAPHY_VERSION_MAX_AGE)
    key = f"commune-search:{version}:{digest}"
    cache = caches["fragments"]
    content = cache.get(key)
    if content is None:
        content = render(list(_communes(parsed)[:limit]) if parsed and limit > 0 else [])
        cache.set(key, content, SEARCH_CACHE_SECONDS)
    return content


def commune_label(commune: Commune) -> str:
    """The autocomplete's label, "Quimper (29) — 29000": it resolves back to the commune."""
    label = f"{commune.name} ({commune.departement.code})"
    postal_codes = commune.postal_code_list
    return f"{label} — {postal_codes[0]}" if postal_codes else label


def commune_choice_label(commune: Commune) -> str:
    """A label telling homonyms apart: "Saint-Martin (Hautes-Pyrénées, 65) — 65360"."""
    departement = commune.departement
    label = f"{commune.name} ({departement.name}, {departement.code})"
    postal_codes = commune.postal_code_list
    return f"{label} — {postal_codes[0]}" if postal_codes else label


@dataclass(frozen=True)
class CommuneResolution:
    """The outcome of ``resolve_commune``: a commune, or candidates, or nothing."""

    commune: Commune | None = None
    #: Communes the text may mean, when it means several (best first; empty otherwise).
    candidates: list[Commune] = field(default_factory=list)
    #: Why the text was not resolved, in French; empty when it was.
    message: str = ""

    @property
    def is_ambiguous(self) -> bool:
        return self.commune is None and bool(self.candidates)


def resolve_commune(text: str, limit: int = DEFAULT_LIMIT) -> CommuneResolution:
    """The one commune ``text`` designates, or the candidates among which to choose.

    An exact name wins over longer names it starts ("Quimper" is not "Quimperlé"); several
    communes with that exact name (homonyms, in other départements) are candidates, as
    are several communes sharing a postal code. A name start matching a single commune
    resolves to it.
    """
    text = " ".join(text.split())
    query = parse_commune_query(text)
    communes = list(_communes(query)[:limit]) if query else []
    if query.name:
        exact = [commune for commune in communes if commune.search_name == query.name]
        communes = exact or communes
    if len(communes) == 1:
        return CommuneResolution(commune=communes[0])
    if not communes:
        return CommuneResolution(message=UNKNOWN_COMMUNE_MESSAGE % {"text": text})
    return CommuneResolution(
        candidates=communes, message=AMBIGUOUS_COMMUNE_MESSAGE % {"text": text}
    )


def search_epcis(query: str, limit: int = DEFAULT_LIMIT) -> list[Epci]:
    """Current EPCI whose name contains every word of ``query`` (accents, case and hyphens
    ignored), or whose SIREN starts with it; names starting with the query first."""
    wanted = normalize_commune_name(query[:MAX_QUERY_LENGTH])
    if not wanted or limit <= 0:
        return []
    current = Epci.objects.filter(is_current=True).only("pk", "code", "name").order_by("name")
    if wanted.isdigit():
        return list(current.filter(code__startswith=wanted)[:limit])
    words = wanted.split()
    # About 1,250 rows in France: matched in Python, as ``builder.resolve_epci`` does.
    matches = []
    for epci in current:
        name = normalize_commune_name(epci.name)
        if all(
            word in name.split() or any(w.startswith(word) for w in name.split()) for word in words
        ):
            matches.append((not name.startswith(wanted), epci.name, epci))
    return [epci for _first, _name, epci in sorted(matches, key=lambda m: (m[0], m[1]))][:limit]


#: How alike a typed name and a commune's name must be to suggest it (difflib's ratio).
SUGGESTION_CUTOFF = 0.75


def suggest_communes(text: str, limit: int = 5) -> list[Commune]:
    """Communes whose name is close to a name that matched none (« Fougèrs »: Fougères),
    closest first, then largest; two queries at most.

    Names sharing the first two letters are compared first (a typo is rarely there), then,
    if none is close, the names sharing the first letter.
    """
    wanted = normalize_commune_name(text[:MAX_QUERY_LENGTH])
    if len(wanted) < 3 or limit <= 0:
        return []
    current = Commune.objects.filter(is_current=True)
    for prefix in (wanted[:2], wanted[:1]):
        names = set(
            current.filter(search_name__startswith=prefix).values_list("search_name", flat=True)
        )
        close = difflib.get_close_matches(wanted, names, n=limit, cutoff=SUGGESTION_CUTOFF)
        if close:
            rank = {name: index for index, name in enumerate(close)}
            communes = current.filter(search_name__in=close).select_related("departement", "epci")
            ordered = sorted(
                communes, key=lambda c: (rank[c.search_name], -(c.population or 0), c.insee_code)
            )
            return ordered[:limit]
    return []


def commune_suggestion_label(commune: Commune) -> str:
    """« Fougères (35300) »: the name and its postal code, as people know them."""
    codes = commune.postal_code_list
    return (
        f"{commune.name} ({codes[0]})" if codes else f"{commune.name} ({commune.departement.code})"
    )
