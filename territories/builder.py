"""The territory builder: add communes by name or code, a whole EPCI or département, remove some.

It works without JavaScript: the set of communes travels in a hidden field (INSEE codes) and
each "Ajouter" or "Retirer" button re-renders the page with the new set, its population,
ACI size tier and warnings. The same form serves professionals (AMI answer) and staff.
"""

import re

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpts_portal.forms import PortalForm, inline_helper
from territories.models import Commune, Departement, Epci, Region
from territories.rules import normalize_commune_name
from territories.search import (
    commune_choice_label,
    commune_suggestion_label,
    resolve_commune,
    suggest_communes,
)
from territories.selectors import TerritorySummary, summarize_communes

INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# Enough for a large CPTS (a département has at most about 900 communes).
MAX_COMMUNES = 1500
# Places kept as typed (no commune matched, the person confirmed): between these in the
# hidden field; entries never hold one, as ";" separates entries when typed.
OTHER_PLACES_SEPARATOR = " ; "
OTHER_PLACE_PREFIX = "texte:"
SUGGESTION_PREFIX = "commune:"
MAX_OTHER_PLACES = 20
# Commas separate entries, except the one inside a label's brackets: "(Hautes-Pyrénées, 65)".
_SEPARATORS = re.compile(r"[\n;]+|,(?!\s*(?:\d{2,3}|2[AB])\))", re.IGNORECASE)


def split_entries(text: str) -> list[str]:
    """One commune per line or between semicolons or commas ("Quimper, Brest")."""
    return [entry.strip() for entry in _SEPARATORS.split(text) if entry.strip()]


def resolve_epci(text: str) -> Epci | list[Epci] | None:
    """An EPCI by SIREN or name (accents, case and "CC"/"CA" prefix ignored); several: a list."""
    text = text.strip()
    current = Epci.objects.filter(is_current=True)
    if text.isdigit():
        return current.filter(code=text).first()
    wanted = normalize_commune_name(text)
    matches = [
        epci
        for epci in current.only("pk", "code", "name")
        if wanted and wanted in normalize_commune_name(epci.name)
    ]
    # "Douarnenez Communauté" is the whole name but its kind: "CC Douarnenez Communauté".
    exact = [epci for epci in matches if normalize_commune_name(epci.name).endswith(wanted)]
    matches = exact if len(exact) == 1 else matches
    if len(matches) == 1:
        return matches[0]
    return matches or None


class TerritoryBuilderForm(PortalForm):
    """A set of communes edited step by step; ``communes()`` gives the resulting set."""

    commune_codes = forms.CharField(required=False, widget=forms.HiddenInput)
    kept_places = forms.CharField(required=False, widget=forms.HiddenInput, max_length=3000)
    add_communes = forms.CharField(
        label=_("Ajouter des communes"),
        help_text=_(
            "Noms, codes postaux ou codes INSEE, un par ligne ou séparés par des virgules, "
            "par exemple « Douarnenez, Pouldergat »."
        ),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    keep_unknown = forms.MultipleChoiceField(
        label=_("Aucune suggestion ne convient ?"),
        help_text=_(
            "Cochez pour garder le lieu tel que saisi : il sera transmis à l’ARS sans "
            "compter dans la population."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    add_epci = forms.CharField(
        label=_("Ajouter toutes les communes d’une intercommunalité (EPCI)"),
        help_text=_("Nom ou numéro SIREN, par exemple « Douarnenez Communauté »."),
        required=False,
        max_length=200,
    )
    add_departement = forms.CharField(
        label=_("Ajouter toutes les communes d’un département"),
        help_text=_("Code du département, par exemple 29."),
        required=False,
        max_length=3,
    )
    remove = forms.MultipleChoiceField(
        label=_("Retirer des communes"),
        help_text=_("Cochez les communes à retirer du territoire."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        allow_departement: bool = False,
        initial_codes: list[str] | None = None,
        initial_other_places: list[str] | None = None,
        region: Region | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The region the territory belongs to: the summary warns about communes outside it.
        self.region = region
        self.helper = inline_helper()
        if not allow_departement:
            del self.fields["add_departement"]
        self.initial_codes = initial_codes
        self.initial_other_places = list(initial_other_places or [])
        if initial_codes is not None and not self.is_bound:
            self.initial["commune_codes"] = " ".join(initial_codes)
        if self.initial_other_places and not self.is_bound:
            self.initial["kept_places"] = OTHER_PLACES_SEPARATOR.join(self.initial_other_places)
        self.current = self._current_communes()
        self.current_other_places = self._current_other_places()
        self.fields["remove"].choices = [
            (commune.insee_code, commune_choice_label(commune)) for commune in self.current
        ] + [
            (f"{OTHER_PLACE_PREFIX}{place}", _("%(place)s (lieu non reconnu)") % {"place": place})
            for place in self.current_other_places
        ]
        typed = self.data.get(self.add_prefix("add_communes"), "") if self.is_bound else ""
        self.fields["keep_unknown"].choices = [
            (entry, _("Garder « %(text)s » tel quel") % {"text": entry})
            for entry in split_entries(str(typed))[:MAX_OTHER_PLACES]
        ]
        #: (text, suggested communes) of each entry that matched no commune, after clean().
        self.unknown: list[tuple[str, list[Commune]]] = []
        epci = self.fields["add_epci"].widget.attrs
        epci["autocomplete"] = "off"
        epci["list"] = f"{self['add_epci'].auto_id}-list"
        epci["data-epci-autocomplete"] = reverse("territories:epci_search")

    def _current_other_places(self) -> list[str]:
        raw = (
            self.data.get(self.add_prefix("kept_places"), "")
            if self.is_bound
            else self.initial.get("kept_places", "")
        )
        places = [
            " ".join(place.split())[:200]
            for place in str(raw).split(OTHER_PLACES_SEPARATOR.strip())
        ]
        return list(dict.fromkeys(place for place in places if place))[:MAX_OTHER_PLACES]

    def _current_communes(self) -> list[Commune]:
        raw = (
            self.data.get(self.add_prefix("commune_codes"), "")
            if self.is_bound
            else self.initial.get("commune_codes", "")
        )
        # The hidden field comes back from the browser: keep only what INSEE codes look like.
        codes = [code for code in str(raw).split() if INSEE_CODE.match(code)][:MAX_COMMUNES]
        if not codes:
            return []  # the blank form, on every visit: not even a query to compile
        return list(
            Commune.objects.filter(insee_code__in=codes)
            .select_related("departement")
            .order_by("search_name")
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        selected = {commune.pk: commune for commune in self.current}
        others = list(self.current_other_places)
        step = str(self.data.get("territory_step", ""))
        chosen = step.removeprefix(SUGGESTION_PREFIX) if step.startswith(SUGGESTION_PREFIX) else ""
        keep = set(cleaned.get("keep_unknown") or [])
        for entry in split_entries(cleaned.get("add_communes", "")):
            resolution = resolve_commune(entry)
            if resolution.commune:
                selected[resolution.commune.pk] = resolution.commune
            elif resolution.candidates:
                choices = " ; ".join(commune_choice_label(c) for c in resolution.candidates[:8])
                self.add_error("add_communes", f"{resolution.message} ({choices})")
            elif entry in keep:
                # Kept as typed only when the person said so, after seeing the suggestions.
                if entry not in others:
                    others.append(entry)
            else:
                suggestions = suggest_communes(entry)
                picked = [c for c in suggestions if c.insee_code == chosen]
                if picked:
                    selected[picked[0].pk] = picked[0]
                    continue
                self.unknown.append((entry, suggestions))
                message = resolution.message
                if suggestions:
                    names = _(" ou ").join(commune_suggestion_label(c) for c in suggestions)
                    message = f"{message} " + _("Vouliez-vous dire %(names)s ?") % {"names": names}
                self.add_error("add_communes", message)
        if epci_text := cleaned.get("add_epci", "").strip():
            epci = resolve_epci(epci_text)
            if isinstance(epci, Epci):
                selected |= {c.pk: c for c in epci.communes.filter(is_current=True)}
            elif epci:
                names = " ; ".join(e.name for e in epci[:8])
                self.add_error(
                    "add_epci",
                    _("Plusieurs intercommunalités correspondent : %(names)s. Précisez le nom.")
                    % {"names": names},
                )
            else:
                self.add_error(
                    "add_epci", _("Aucune intercommunalité ne porte ce nom ou ce numéro.")
                )
        if code := cleaned.get("add_departement", "").strip().upper():
            departement = Departement.objects.filter(code=code.zfill(2)).first()
            if departement is None:
                self.add_error("add_departement", _("Aucun département n’a ce code."))
            else:
                selected |= {c.pk: c for c in departement.communes.filter(is_current=True)}
        # Only the entries that matched nothing may be kept as typed: offer those alone.
        self.fields["keep_unknown"].choices = [
            (text, _("Garder « %(text)s » tel quel") % {"text": text}) for text, _s in self.unknown
        ]
        removed = set(cleaned.get("remove", []))
        self.selected = [c for c in selected.values() if c.insee_code not in removed]
        self.selected_other_places = [
            place for place in others if f"{OTHER_PLACE_PREFIX}{place}" not in removed
        ][:MAX_OTHER_PLACES]
        if len(self.selected) > MAX_COMMUNES:
            raise forms.ValidationError(
                _("Un territoire compte au plus %(max)d communes.") % {"max": MAX_COMMUNES}
            )
        return cleaned

    def communes(self) -> list[Commune]:
        """The resulting set once valid; the current one otherwise."""
        return self.selected if self.is_valid() else self.current

    def other_places(self) -> list[str]:
        """Places kept as typed, once valid; the current ones otherwise."""
        return self.selected_other_places if self.is_valid() else self.current_other_places

    def suggestion_value(self, commune: Commune) -> str:
        """The ``territory_step`` value of the button adding a suggested commune."""
        return f"{SUGGESTION_PREFIX}{commune.insee_code}"

    def codes(self) -> list[str]:
        return sorted(commune.insee_code for commune in self.communes())

    def has_changed_set(self) -> bool:
        """Whether the resulting set differs from the stored one (``initial_codes``)."""
        return set(self.initial_codes or []) != set(self.codes()) or set(
            self.initial_other_places
        ) != set(self.other_places())

    def summary(self) -> TerritorySummary:
        return summarize_communes(communes_queryset(self.codes()), self.region)

    def next_step(self) -> "TerritoryBuilderForm":
        """A fresh form holding the resulting set, for the page shown after a step."""
        return type(self)(
            prefix=self.prefix,
            initial_codes=self.codes(),
            initial_other_places=self.other_places(),
            allow_departement="add_departement" in self.fields,
            region=self.region,
        )


def communes_queryset(codes: list[str]) -> QuerySet[Commune]:
    return Commune.objects.filter(insee_code__in=codes)
