"""Form field for a commune typed as a name or a code, resolved by the server.

Without JavaScript, an ambiguous name ("Saint-Martin") is answered with the list of its
candidates as radio buttons under the text input; the second POST names the chosen one by
its INSEE code. With JavaScript (``static/js/autocomplete.js``), the input's
``<datalist>`` offers labels that resolve to a single commune at once.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpts_portal.forms import PortalForm
from cpts_portal.validators import validate_single_line
from territories.models import Commune
from territories.rules import SIZE_TIERS
from territories.search import (
    AMBIGUOUS_COMMUNE_MESSAGE,
    DEFAULT_LIMIT,
    UNKNOWN_COMMUNE_MESSAGE,
    commune_choice_label,
    commune_label,
    resolve_commune,
)


@dataclass(frozen=True)
class CommuneEntry:
    """What ``CommuneInput`` reads from the POST: the text, and the candidate picked."""

    text: str
    choice: str = ""  #: INSEE code of the candidate chosen, "" if none

    def __str__(self) -> str:
        return self.text


class CommuneInput(forms.TextInput):
    """A text input with a ``<datalist>`` for the autocomplete, and the candidates.

    ``candidates`` is set by ``CommuneField`` when the text is ambiguous; they are rendered
    as radio buttons named ``<name>_insee`` (``choice_name``) with INSEE codes as values.
    """

    template_name = "territories/widgets/commune_input.html"
    choice_suffix = "_insee"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's own autofill would hide the datalist's suggestions.
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.candidates: list[Commune] = []

    def choice_name(self, name: str) -> str:
        return f"{name}{self.choice_suffix}"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> CommuneEntry | None:
        text = data.get(name)
        choice = data.get(self.choice_name(name)) or ""
        if text is None and not choice:
            return None
        return CommuneEntry(text or "", choice.strip())

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Commune):
            value = commune_label(value)
        elif isinstance(value, CommuneEntry):
            value = value.text
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or name
        datalist_id = f"{input_id}-communes"
        # Set at render time: the URLconf is not loaded yet when forms are declared.
        widget["attrs"].setdefault("list", datalist_id)
        widget["attrs"].setdefault(
            "data-commune-autocomplete", reverse("territories:commune_search")
        )
        widget["datalist_id"] = widget["attrs"]["list"]
        widget["choice_name"] = self.choice_name(name)
        widget["candidates_id"] = f"{input_id}-candidates"
        chosen = value.choice if isinstance(value, CommuneEntry) else ""
        widget["candidates"] = [
            {
                "id": f"{input_id}-candidate-{index}",
                "value": commune.insee_code,
                "label": commune_choice_label(commune),
                "checked": commune.insee_code == chosen,
            }
            for index, commune in enumerate(self.candidates)
        ]
        return context


def _commune_by_pk(pk: int) -> Commune | None:
    # Model forms give a foreign key's initial value as a primary key.
    return Commune.objects.select_related("departement").filter(pk=pk).first()


class CommuneField(forms.Field):
    """A current commune, typed as a name, a postal code, an INSEE code or a label.

    ``clean()`` returns a ``Commune`` (``None`` when blank and not required). When the text
    matches several communes it raises the "ambiguous" error and ``candidates`` lists them
    (best first), also rendered by the widget so that the person can pick one; the
    picked INSEE code is honoured only if it is among the candidates of the text posted
    with it, so editing the text starts over.
    """

    widget = CommuneInput
    default_error_messages = {
        "required": _("Indiquez le nom ou le code postal d’une commune."),
        "unknown": UNKNOWN_COMMUNE_MESSAGE,
        "ambiguous": AMBIGUOUS_COMMUNE_MESSAGE,
    }

    def __init__(self, *, max_candidates: int = DEFAULT_LIMIT, **kwargs: Any) -> None:
        self.max_candidates = max_candidates
        super().__init__(**kwargs)
        self.candidates: list[Commune] = []

    def _set_candidates(self, candidates: list[Commune]) -> None:
        self.candidates = candidates
        if isinstance(self.widget, CommuneInput):
            self.widget.candidates = candidates

    def to_python(self, value: Any) -> Commune | None:
        self._set_candidates([])
        if value in self.empty_values:
            return None
        if isinstance(value, Commune):
            return value
        if isinstance(value, int):
            return _commune_by_pk(value)
        entry = value if isinstance(value, CommuneEntry) else CommuneEntry(str(value))
        # The raw text: collapsing the spaces would hide line breaks typed in it.
        validate_single_line(entry.text)
        text = " ".join(entry.text.split())
        if not text:
            return None
        resolution = resolve_commune(text, limit=self.max_candidates)
        if resolution.commune is not None:
            return resolution.commune
        # Keep the candidates even when one was chosen: a page shown again for another
        # field's error must still say which "Saint-Martin" this is.
        self._set_candidates(resolution.candidates)
        for candidate in resolution.candidates:
            if candidate.insee_code == entry.choice:
                return candidate
        code = "ambiguous" if resolution.candidates else "unknown"
        raise ValidationError(self.error_messages[code], code=code, params={"text": text})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return _commune_by_pk(value)
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Compare texts rather than resolve the data again (queries, candidates reset).
        if self.disabled:
            return False
        initial_text = self.widget.format_value(self.prepare_value(initial)) or ""
        data_text = self.widget.format_value(data) or ""
        return " ".join(initial_text.split()) != " ".join(data_text.split())


class TerritoryFilterForm(PortalForm):
    """The filters of the territory list (GET): a search, a département, a tier, overlaps."""

    q = forms.CharField(
        label=_("Rechercher"),
        help_text=_("Nom du territoire ou d’une de ses communes."),
        required=False,
        max_length=100,
    )
    departement = forms.ChoiceField(label=_("Département"), required=False)
    tier = forms.TypedChoiceField(
        label=_("Taille"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Toutes les tailles")), *((t.number, t.label) for t in SIZE_TIERS)],
    )
    overlaps = forms.ChoiceField(
        label=_("Chevauchements"),
        required=False,
        choices=[
            ("", _("Tous les territoires")),
            ("oui", _("Partageant des communes avec un autre territoire")),
            ("non", _("Sans commune partagée")),
        ],
    )

    def __init__(self, *args: Any, departements: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", _("Tous les départements")), *departements]
