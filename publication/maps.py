"""The map of the départements, read once from the SVG file shipped with its licence
(``static/publication/maps/README.md``): each département's outline by INSEE code, and
the frame (``viewBox``) that shows a chosen set of départements."""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

MAP_FILE = Path(__file__).parent / "static" / "publication" / "maps" / "france-departements.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"
MARGIN = 0.08  # of the framed width or height, on each side

Box = tuple[float, float, float, float]  # min x, min y, max x, max y


def path_box(d: str) -> Box:
    """The bounding box of a path made of relative ``m`` (then implicit ``l``) and ``z``,
    the only commands of the map file (checked: anything else raises ``ValueError``)."""
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    for command, coordinates in re.findall(r"([a-zA-Z])([^a-zA-Z]*)", d):
        if command == "z":
            x, y = start_x, start_y
            continue
        if command != "m":
            raise ValueError(f"Unexpected path command {command!r} in the map file.")
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", coordinates)]
        for index in range(0, len(numbers) - 1, 2):
            x, y = x + numbers[index], y + numbers[index + 1]
            if index == 0:
                start_x, start_y = x, y
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Outline:
    code: str
    name: str
    path: str
    box: Box


@dataclass(frozen=True)
class DepartementMap:
    view_box: str
    outlines: tuple[Outline, ...]

    def frame(self, codes: Iterable[str]) -> str:
        """A ``viewBox`` around the départements of ``codes`` (the whole map when none of
        them is on it), with a margin that shows their neighbours."""
        wanted = set(codes)
        boxes = [outline.box for outline in self.outlines if outline.code in wanted]
        if not boxes or len(boxes) == len(self.outlines):
            return self.view_box
        left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        width, height = right - left, bottom - top
        left, top = left - MARGIN * width, top - MARGIN * height
        width, height = width * (1 + 2 * MARGIN), height * (1 + 2 * MARGIN)
        return f"{left:.1f} {top:.1f} {width:.1f} {height:.1f}"


@functools.cache
def departement_map() -> DepartementMap:
    # A file of this repository, not input from anyone: ElementTree is fine here.
    root = ElementTree.parse(MAP_FILE).getroot()  # noqa: S314
    outlines = tuple(
        Outline(
            code=node.get("id", ""),
            name=node.get("aria-label", ""),
            path=node.get("d", ""),
            box=path_box(node.get("d", "")),
        )
        for node in root.iter(f"{SVG_NS}path")
    )
    return DepartementMap(view_box=root.get("viewBox", "0 0 613 585"), outlines=outlines)
