"""The map of the départements, read once from the SVG file shipped with its licence
(``static/publication/maps/README.md``): each département's outline by INSEE code."""

import functools
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

MAP_FILE = Path(__file__).parent / "static" / "publication" / "maps" / "france-departements.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Outline:
    code: str
    name: str
    path: str


@dataclass(frozen=True)
class DepartementMap:
    view_box: str
    outlines: tuple[Outline, ...]


@functools.cache
def departement_map() -> DepartementMap:
    # A file of this repository, not input from anyone: ElementTree is fine here.
    root = ElementTree.parse(MAP_FILE).getroot()  # noqa: S314
    outlines = tuple(
        Outline(code=node.get("id", ""), name=node.get("aria-label", ""), path=node.get("d", ""))
        for node in root.iter(f"{SVG_NS}path")
    )
    return DepartementMap(view_box=root.get("viewBox", "0 0 613 585"), outlines=outlines)
