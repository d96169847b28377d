"""The README's table « Règle des documents sources → fonction » names what exists."""

import importlib
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| Règle des documents sources | Fonction |"
CELL = re.compile(r"^\| .+ \| `(?P<path>[\w.]+)` \|$")


def table_paths() -> list[str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # after the header and its --- row
    paths = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        match = CELL.match(line)
        assert match, f"a row of the rules table names no function: {line}"
        paths.append(match["path"])
    return paths


def resolve(path: str) -> object:
    """The longest importable module of ``path``, then attributes for the rest."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ModuleNotFoundError(path)


def test_every_rule_of_the_readme_table_exists():
    paths = table_paths()
    assert len(paths) >= 15
    missing = []
    for path in paths:
        try:
            resolve(path)
        except (ImportError, AttributeError):
            missing.append(path)
    assert missing == []


def test_the_rules_named_in_rules_modules_are_functions():
    for path in table_paths():
        if ".rules." in path:
            assert callable(resolve(path)), path
