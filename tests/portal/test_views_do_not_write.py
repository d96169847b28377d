"""No view writes: every write goes through a service (permissions, transaction, history
through ``record_event``), which the admin, commands and tasks call the same way.

The view modules are read with ``ast``: a call to ``.save(``, ``.create(``, ``.delete(``,
``.update(``, ``bulk_create(``, ``get_or_create(``, ``update_or_create(``,
``record_event(`` or anything reached through ``<Something>Event.objects`` fails the
test, with its place. ``.update(`` on a dict the function builds itself (a literal, a
comprehension, ``dict(...)``, or a parameter annotated ``dict``) is not a write.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = sorted(
    [
        *(ROOT / "projects" / "views").glob("*.py"),
        ROOT / "ami" / "views.py",
        *(ROOT / "ami" / "staff").glob("*views*.py"),
        ROOT / "ami" / "referent_views.py",
        ROOT / "territories" / "views.py",
        ROOT / "publication" / "views.py",
        ROOT / "publication" / "api" / "views.py",
    ]
)
WRITE_METHODS = {
    "save",
    "create",
    "delete",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
WRITE_FUNCTIONS = {"record_event"}
# (module relative to the root, function, call): writes left in a view on purpose. Empty:
# keep it so; a new entry needs a comment saying why no service can take it.
ALLOWED: set[tuple[str, str, str]] = set()


def dict_names(function: ast.AST) -> set[str]:
    """Names that hold a dict the function built itself, or a parameter annotated dict."""
    names = set()
    if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        for arg in [*function.args.args, *function.args.kwonlyargs]:
            annotation = arg.annotation
            if isinstance(annotation, ast.Subscript):
                annotation = annotation.value
            if isinstance(annotation, ast.Name) and annotation.id == "dict":
                names.add(arg.arg)
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            is_dict = isinstance(value, ast.Dict | ast.DictComp) or (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "dict"
            )
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if is_dict:
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def reaches_event_objects(node: ast.AST) -> bool:
    """Whether an attribute chain goes through ``<Something>Event.objects``."""
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        if (
            node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id.endswith("Event")
        ):
            return True
        node = node.value
    return False


def writes_in(source: str, module: str) -> list[tuple[str, str, str]]:
    """(module, function, call) of each write in this source."""
    tree = ast.parse(source)
    functions = [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    found = []
    for scope in [tree, *functions]:
        name = getattr(scope, "name", "<module>")
        dicts = dict_names(scope)
        # The calls of this scope and its lambdas; a nested function is a scope of its own.
        pending = list(ast.iter_child_nodes(scope))
        while pending:
            node = pending.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            pending.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.Call):
                call = write_call(node.func, dicts)
                if call:
                    found.append((module, name, call))
    return found


def write_call(func: ast.AST, dicts: set[str]) -> str:
    """The call's text when it writes, else ``""``."""
    if reaches_event_objects(func):
        return ast.unparse(func)
    if isinstance(func, ast.Name):
        return func.id if func.id in WRITE_FUNCTIONS else ""
    if not isinstance(func, ast.Attribute):
        return ""
    if func.attr in WRITE_FUNCTIONS:
        return ast.unparse(func)
    if func.attr not in WRITE_METHODS:
        return ""
    if func.attr == "update" and isinstance(func.value, ast.Name) and func.value.id in dicts:
        return ""
    return ast.unparse(func)


def view_writes() -> list[tuple[str, str, str]]:
    return [
        write
        for path in VIEW_MODULES
        for write in writes_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        if write not in ALLOWED
    ]


def test_the_scan_sees_every_view_module():
    assert len(VIEW_MODULES) >= 8
    assert all(path.exists() for path in VIEW_MODULES)


def test_the_scan_finds_a_write():
    source = (
        "def view(request, project):\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
        "    form.save(commit=False)\n"
        "    ProjectEvent.objects.create(project=project)\n"
        "    Thing.objects.filter(pk=1).update(done=True)\n"
        "    record_event(project, 'edited')\n"
        "    later = lambda: thing.delete()\n"
        "    def inner():\n"
        "        other.save()\n"
    )
    calls = [call for _module, _function, call in writes_in(source, "probe.py")]
    assert sorted(calls) == sorted(
        [
            "form.save",
            "ProjectEvent.objects.create",
            "Thing.objects.filter(pk=1).update",
            "record_event",
            "thing.delete",
            "other.save",
        ]
    )


def test_no_view_writes_events_or_models_directly():
    writes = view_writes()
    assert not writes, "Views writing instead of calling a service:\n" + "\n".join(
        f"{module}: {function}() calls {call}(...)" for module, function, call in writes
    )
