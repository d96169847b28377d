"""Apps depend one way: ``territories`` ← ``ami`` ← ``projects``, with ``cpts_portal``,
``notifications`` and ``crispy_dsfr`` below all (DESIGN.md, « Apps depend one way »).

A lower app never imports a higher one: it exposes a signal or a hook instead (``ami.hooks``,
registered by ``projects`` in its ``AppConfig.ready()``). The bottom apps do not import each
other either. Only the composition root (the root URLconf and the settings) names every app.

The check reads every ``.py`` file of the apps, migrations included, with ``ast``: imports at
any depth (inside functions too), relative imports, ``import_module("...")``,
``apps.get_model("app", ...)``, ``get_app_config("app")``, relation fields given as
``"app.Model"`` strings and migration dependencies. It does not see URL names
(``reverse("projects:...")``), permission codenames or template tags.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lower number: lower layer. An app may depend only on apps of a strictly lower layer.
LAYERS = {
    "cpts_portal": 0,
    "notifications": 0,
    "crispy_dsfr": 0,
    "territories": 1,
    "ami": 2,
    "projects": 3,
    # Public output and read API: reads projects, answers and territories; read by none.
    "publication": 4,
}
# The composition root assembles the apps: it may name all of them.
COMPOSITION_ROOT = frozenset({"cpts_portal/urls.py", "cpts_portal/settings.py"})

# Inside an app: (files, module they must not import, files allowed to).
INNER_RULES = [
    # The AMI's core and public pages work without the staff workspace; the staff-facing
    # admin and URLconf assemble it.
    ("ami/", "ami.staff", ("ami/staff/", "ami/admin.py", "ami/staff_urls.py")),
    # Sending never needs the outbox's writers (``dispatch_emails`` lives in tasks).
    ("notifications/tasks.py", "notifications.services", ()),
]

RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
MODULE_LOADERS = frozenset({"import_module", "__import__"})
APP_LABEL_LOOKUPS = frozenset({"get_model", "get_app_config"})


@dataclass(frozen=True)
class Dependency:
    line: int
    target: str  # a dotted module, or an app label followed by what is named in it
    how: str


def string_args(call: ast.Call) -> list[str]:
    constants = [arg.value for arg in call.args if isinstance(arg, ast.Constant)]
    return [value for value in constants if isinstance(value, str)]


def called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def resolve_relative(path: str, level: int, module: str | None) -> str | None:
    """The absolute module of ``from <level dots><module> import ...``; None above the top."""
    package = list(Path(path).with_suffix("").parts[:-1])
    if level - 1 >= len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join(base + (module.split(".") if module else []))


def dependencies(source: str, path: str) -> list[Dependency]:
    """Every module or app that the file at ``path`` (relative to the project) refers to."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            found += [Dependency(node.lineno, alias.name, "import") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            how = "relative import" if node.level else "import"
            module = (
                resolve_relative(path, node.level, node.module) if node.level else node.module
            )
            if module is None:
                dots = "." * node.level + (node.module or "")
                found.append(Dependency(node.lineno, dots, "relative import above its app"))
            elif "." in module:
                found.append(Dependency(node.lineno, module, how))
            else:
                # ``from . import staff``, ``from ami import staff``: the submodules count.
                found += [
                    Dependency(node.lineno, f"{module}.{alias.name}", how) for alias in node.names
                ]
        elif isinstance(node, ast.Call):
            name, strings = called_name(node), string_args(node)
            if name in MODULE_LOADERS and strings:
                found.append(Dependency(node.lineno, strings[0], name))
            elif name in APP_LABEL_LOOKUPS and strings:
                found.append(Dependency(node.lineno, ".".join(strings), name))
            elif name in RELATION_FIELDS:
                to = [
                    keyword.value.value
                    for keyword in node.keywords
                    if keyword.arg == "to" and isinstance(keyword.value, ast.Constant)
                ]
                for label in (to or strings[:1]):
                    if isinstance(label, str) and "." in label:
                        found.append(Dependency(node.lineno, label, "relation to"))
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "dependencies" for target in node.targets
        ):
            for item in getattr(node.value, "elts", []):
                if isinstance(item, ast.Tuple) and item.elts:
                    first = item.elts[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        found.append(
                            Dependency(item.lineno, first.value, "migration dependency")
                        )
    return sorted(found, key=lambda dependency: dependency.line)


def violations(source: str, path: str) -> list[str]:
    """One readable line per dependency against the direction, for the file at ``path``."""
    app = Path(path).parts[0]
    if path in COMPOSITION_ROOT or app not in LAYERS:
        return []
    problems = []
    for dependency in dependencies(source, path):
        where = f"{path}:{dependency.line}"
        if dependency.how == "relative import above its app":
            problems.append(f"{where} {dependency.how}: {dependency.target}")
            continue
        other = dependency.target.split(".")[0]
        if other == app or other not in LAYERS:
            continue
        if LAYERS[other] > LAYERS[app]:
            reason = f"{app} is below {other}"
        elif LAYERS[other] == LAYERS[app]:
            reason = f"{app} and {other} are both at the bottom"
        else:
            continue
        problems.append(f"{where} {dependency.how} {dependency.target} ({reason})")
    return problems


def inner_violations(source: str, path: str) -> list[str]:
    """Dependencies inside an app that ``INNER_RULES`` forbid, one readable line each."""
    problems = []
    for files, forbidden, allowed in INNER_RULES:
        if not path.startswith(files) or path.startswith(allowed):
            continue
        problems += [
            f"{path}:{dependency.line} {dependency.how} {dependency.target} "
            f"(no {forbidden} here)"
            for dependency in dependencies(source, path)
            if dependency.target == forbidden or dependency.target.startswith(f"{forbidden}.")
        ]
    return problems


def app_files() -> list[Path]:
    return sorted(
        file
        for app in LAYERS
        for file in (ROOT / app).rglob("*.py")
        if "__pycache__" not in file.parts
    )


def test_apps_depend_one_way():
    files = app_files()
    problems = [
        problem
        for file in files
        for problem in violations(
            file.read_text(encoding="utf-8"), file.relative_to(ROOT).as_posix()
        )
    ]
    assert not problems, (
        "Imports against the direction territories ← ami ← projects "
        "(cpts_portal, notifications, crispy_dsfr below all); a lower app exposes a hook or "
        "a signal instead (see ami/hooks.py):\n  " + "\n  ".join(problems)
    )


def test_inner_modules_depend_one_way():
    problems = [
        problem
        for file in app_files()
        for problem in inner_violations(
            file.read_text(encoding="utf-8"), file.relative_to(ROOT).as_posix()
        )
    ]
    assert not problems, "Imports against the direction inside an app:\n  " + "\n  ".join(
        problems
    )


def test_every_app_and_its_migrations_are_read():
    read = {file.relative_to(ROOT).as_posix() for file in app_files()}
    for app in LAYERS:
        assert any(path.startswith(f"{app}/") for path in read), app
    assert "ami/migrations/0001_initial.py" in read
    assert "publication/management/commands/setup_demo.py" in read


# --- The checker itself, on small sources -------------------------------------------------


def test_an_upward_import_inside_a_function_is_reported():
    source = "def orient():\n    from projects.services import create_project\n"
    assert violations(source, "ami/staff/services.py") == [
        "ami/staff/services.py:2 import projects.services (ami is below projects)"
    ]


def test_downward_imports_and_relative_imports_in_the_app_are_allowed():
    source = (
        "import territories.models\n"
        "from cpts_portal.links import absolute_url\n"
        "from notifications.services import queue_email\n"
        "from . import forms\n"
        "from ..models import Submission\n"
    )
    assert violations(source, "ami/staff/views.py") == []


def test_bottom_apps_do_not_import_each_other():
    source = "from notifications.services import queue_email\nimport crispy_dsfr\n"
    assert violations(source, "cpts_portal/health.py") == [
        "cpts_portal/health.py:1 import notifications.services "
        "(cpts_portal and notifications are both at the bottom)",
        "cpts_portal/health.py:2 import crispy_dsfr (cpts_portal and crispy_dsfr are both at "
        "the bottom)",
    ]


def test_string_based_references_are_reported():
    source = (
        "import importlib\n"
        "from django.apps import apps\n"
        "mod = importlib.import_module('projects.demo')\n"
        "Project = apps.get_model('projects', 'CptsProject')\n"
        "Ami = apps.get_model('ami.Submission')\n"
    )
    assert violations(source, "territories/rules.py") == [
        "territories/rules.py:3 import_module projects.demo (territories is below projects)",
        "territories/rules.py:4 get_model projects.CptsProject (territories is below projects)",
        "territories/rules.py:5 get_model ami.Submission (territories is below ami)",
    ]


def test_migrations_may_not_point_upwards_either():
    source = (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [\n"
        "        ('territories', '0001_initial'),\n"
        "        ('ami', '0005_exchange_cancelled_at'),\n"
        "    ]\n"
        "    operations = [\n"
        "        migrations.AddField('territory', 'answer', models.ForeignKey(\n"
        "            on_delete=models.PROTECT, to='ami.submission')),\n"
        "    ]\n"
    )
    assert violations(source, "territories/migrations/0009_answer.py") == [
        "territories/migrations/0009_answer.py:5 migration dependency ami "
        "(territories is below ami)",
        "territories/migrations/0009_answer.py:8 relation to ami.submission "
        "(territories is below ami)",
    ]


def test_relative_import_leaving_the_app_is_reported():
    assert violations("from ... import projects\n", "ami/staff/views.py") == [
        "ami/staff/views.py:1 relative import above its app: ..."
    ]


def test_the_ami_core_does_not_import_the_staff_workspace():
    source = (
        "from .staff.ics import exchange_attachment\n"
        "from .ics import Method\n"
        "from . import hooks, staff\n"
        "from ami import staff as staff_package\n"
    )
    assert inner_violations(source, "ami/workflow.py") == [
        "ami/workflow.py:1 relative import ami.staff.ics (no ami.staff here)",
        "ami/workflow.py:3 relative import ami.staff (no ami.staff here)",
        "ami/workflow.py:4 import ami.staff (no ami.staff here)",
    ]
    assert inner_violations(source, "ami/staff/services.py") == []
    assert inner_violations("from .services import x\n", "notifications/tasks.py") == [
        "notifications/tasks.py:1 relative import notifications.services "
        "(no notifications.services here)"
    ]


def test_the_composition_root_names_every_app():
    source = "from django.urls import include\nimport projects.urls\nimport ami.urls\n"
    assert violations(source, "cpts_portal/urls.py") == []
    assert violations(source, "cpts_portal/views.py") != []
