"""The house by stage of the plan (docs/architecture.md): no import circle inside an app,
and no import inside a function between the project's own modules unless a comment on
that line or the line above says why. Read from the source with `ast`, so the rule holds
for code no test happens to run."""

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("accounts", "api", "config", "inspections", "reports", "units", "webhooks")


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _target(node: ast.ImportFrom | ast.Import) -> list[str]:
    """The project's modules an import statement reads (a name may be a module itself)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        names = [base] + [f"{base}.{alias.name}" for alias in node.names]
    return [name for name in names if name in MODULES]


def _imports(path: Path) -> tuple[set[str], list[tuple[int, str]]]:
    """(modules imported at module level, [(line, module)] imported inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, inline = set(), []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            top.update(_target(node))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    inline.extend((node.lineno, name) for name in _target(node))
    return top, inline


def test_no_import_circle_inside_an_app():
    graph = {name: {target for target in _imports(path)[0] if target.split(".")[0] == name.split(".")[0]}
             for name, path in MODULES.items()}
    circles = []

    def visit(name, trail):
        for target in graph.get(name, ()):
            if target in trail:
                circles.append(" → ".join([*trail[trail.index(target):], target]))
            elif target not in done:
                visit(target, [*trail, target])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert circles == []


def test_an_import_inside_a_function_between_our_modules_says_why():
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, target in _imports(path)[1]:
            said = "#" in lines[number - 1] or lines[number - 2].strip().startswith("#")
            if not said:
                unexplained.append(f"{name}:{number} imports {target}")
    assert unexplained == []
