"""Columns of the dashboard's table: which exist, which are shown by default, how they sort.

Every column reads fields of ``staff_submissions()`` rows (annotations and ``select_related``
included): showing one more column never adds a query.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..filters import SORTABLE_COLUMNS

DEFAULT_SORT = "-recue"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    default: bool = True  # shown until the agent chooses
    required: bool = False  # always shown: the row's link


COLUMNS: tuple[Column, ...] = (
    Column("reference", _("Référence"), required=True),
    Column("recue", _("Reçue le")),
    Column("acteur", _("Acteurs")),
    Column("territoire", _("Territoire envisagé")),
    Column("objectifs", _("Objectifs")),
    Column("statut", _("Statut")),
    Column("agent", _("Agent")),
    Column("campagne", _("Campagne"), default=False),
    Column("statut_depuis", _("Statut depuis le"), default=False),
    Column("orientation", _("Orientation"), default=False),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = tuple(column.key for column in COLUMNS if column.default)
OPTIONAL_COLUMNS = tuple(column for column in COLUMNS if not column.required)


def clean_columns(keys: Iterable[str] | None) -> list[str]:
    """Known keys, in the table's order, the required ones always in; ``None``: the defaults."""
    if keys is None:
        return list(DEFAULT_COLUMNS)
    chosen = set(keys)
    return [column.key for column in COLUMNS if column.required or column.key in chosen]


@dataclass(frozen=True)
class HeaderCell:
    key: str
    label: str | Promise
    sortable: bool
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)
    next: str  # the "tri" value of the link: ascending first, then descending


def header_cells(shown: Iterable[str], current_sort: str) -> list[HeaderCell]:
    """The header of the table for the columns shown, with the sort state of each."""
    current = current_sort if current_sort.lstrip("-") in SORTABLE_COLUMNS else DEFAULT_SORT
    cells = []
    for key in shown:
        column = BY_KEY[key]
        aria = {key: "ascending", f"-{key}": "descending"}.get(current, "")
        cells.append(
            HeaderCell(
                key=key,
                label=column.label,
                sortable=key in SORTABLE_COLUMNS,
                aria_sort=aria,
                next=f"-{key}" if aria == "ascending" else key,
            )
        )
    return cells
