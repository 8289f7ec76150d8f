"""The observatory's rooms and the one rule between them: a lower room never imports a higher one.

Rooms, lowest first (`docs/architecture.md`): `definitions/` (the questionnaire as data, how an answer is read
and which rules answers keep: no ORM), `models.py`, `figures/` (computed from the tables alone), `checks/`
(states, flags, corrections: what is done with stored answers), `answers/` (the ways answers arrive: filling in,
past campaigns imported). The app's own modules (`admin`, `campaigns`, `demo`, `forms`, the commands) sit on top.

Every module is read with `ast`, imports inside functions included: a lazy import is an import all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import maillage.observatory

PACKAGE = "maillage.observatory"
PACKAGE_DIR = Path(maillage.observatory.__file__).parent
ROOMS = ("definitions", "models", "figures", "checks", "answers")  # lowest first; `models` is models.py
APPS_OWN = {"__init__", "admin", "apps", "campaigns", "demo", "forms", "management", "migrations"}
TOP = len(ROOMS)


def modules() -> dict[str, Path]:
    """Dotted name → file of every module of the package (a package is its `__init__`)."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def room_of(module: str) -> str:
    parts = module.removeprefix(PACKAGE).lstrip(".").split(".")
    return parts[0] or "__init__"


def rank(module: str) -> int:
    room = room_of(module)
    return ROOMS.index(room) if room in ROOMS else TOP


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports(module: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(module of the package imported, line) for every import of `module`, at any depth (a name that is not a
    module of the package is kept: `test_every_import_names_a_module` reports it)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, path, node)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found += [(name, node.lineno) for name in names if name.startswith(PACKAGE) and name != module]
    return found


def graph() -> dict[str, list[tuple[str, int]]]:
    known = modules()
    return {module: imports(module, path, known) for module, path in known.items()}


def circles(edges: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan): modules that import each other in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target, _ in edges[module]:
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_every_module_is_in_a_room_or_is_the_apps_own():
    strays = sorted(m for m in modules() if room_of(m) not in ROOMS and room_of(m) not in APPS_OWN)
    assert not strays, "put these modules into a room (definitions, figures, checks, answers):\n" + "\n".join(strays)


def test_every_import_names_a_module():
    known = modules()
    wrong = [f"{module}:{line} imports {target}" for module, targets in graph().items() for target, line in targets
             if target not in known]  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_a_higher_room():
    wrong = [
        f"{module}:{line} imports {target} ({room_of(module)} < {room_of(target)})"
        for module, targets in graph().items()
        for target, line in targets
        if rank(target) > rank(module)
    ]
    assert not wrong, "a lower room imports a higher one:\n" + "\n".join(wrong)


def test_no_import_circles():
    found = circles(graph())
    assert not found, "modules importing each other in a circle:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_the_checker_finds_what_it_should(tmp_path):
    """The reader resolves relative and package imports, inside functions too, and the circle finder sees them."""
    known = {f"{PACKAGE}.checks.flags": None, f"{PACKAGE}.answers.filling": None, f"{PACKAGE}.models": None}
    source = "from . import filling\nfrom ..models import Flag\n\ndef f():\n    from ..checks import flags\n"
    path = tmp_path / "filling.py"
    path.write_text(source, encoding="utf-8")
    found = imports(f"{PACKAGE}.answers.filling", path, known)
    assert found == [(f"{PACKAGE}.models", 2), (f"{PACKAGE}.checks.flags", 5)]
    edges = {f"{PACKAGE}.answers.filling": found, f"{PACKAGE}.checks.flags": [(f"{PACKAGE}.answers.filling", 1)],
             f"{PACKAGE}.models": []}  # fmt: skip
    assert circles(edges) == [[f"{PACKAGE}.answers.filling", f"{PACKAGE}.checks.flags"]]
    assert rank(f"{PACKAGE}.checks.flags") < rank(f"{PACKAGE}.answers.filling") < rank(f"{PACKAGE}.demo")
