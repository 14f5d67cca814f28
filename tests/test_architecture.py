"""The code's shape, read from app/ itself.

The packages under app/ import each other in one direction only. A package is the first
name under app/ (`app/auth/access.py` is `auth`); a module at the top (`app/main.py`) is a
package of its own (`main`). Every import counts, a deferred one inside a function too.

Every function and file is small enough to read in one go: the guideline is about 40 lines
a function and 400 a file, and these fail a little beyond it. A function counts from its
`def` line to its last line (decorators aside), nested ones in their own right as well.
"""

import ast
import importlib
from collections.abc import Callable
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
MAX_FUNCTION_LINES = 45
MAX_FILE_LINES = 420


def package_of(module: Path) -> str:
    parts = module.relative_to(APP).parts
    return parts[0] if len(parts) > 1 else module.stem


def absolute_module(module: Path, node: ast.ImportFrom) -> str:
    """The module a `from … import` names, a relative one (`from ..caseload import x` in
    app/survey/views.py: `app.caseload`) resolved against the importing module's package."""
    if node.level == 0:
        return node.module or ""
    package = module.relative_to(APP.parent).with_suffix("").parts
    if module.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_packages(module: Path, source: str | None = None) -> set[str]:
    """The app packages one module imports (`from app import models` imports `models`),
    relative imports too."""
    text = module.read_text(encoding="utf-8") if source is None else source
    found: set[str] = set()
    for node in ast.walk(ast.parse(text, str(module))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [absolute_module(module, node)]
            if names[0] == "app":
                names = [f"app.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name.split(".")[1] for name in names if name.startswith("app.")}
    return found


def import_graph(changed: dict[Path, str] | None = None) -> dict[str, set[str]]:
    """Which packages each package imports; `changed`: a module's text as if edited."""
    graph: dict[str, set[str]] = {}
    for module in sorted(APP.rglob("*.py")):
        package = package_of(module)
        imported = imported_packages(module, (changed or {}).get(module))
        graph.setdefault(package, set()).update(imported - {package})
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as its path (`a → b → a`), or None: a depth-first search."""
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> list[str] | None:
        if package in path:
            return [*path[path.index(package) :], package]
        if package in done:
            return None
        for imported in sorted(graph.get(package, ())):
            cycle = visit(imported, [*path, package])
            if cycle:
                return cycle
        done.add(package)
        return None

    for package in sorted(graph):
        cycle = visit(package, [])
        if cycle:
            return cycle
    return None


def test_the_graph_is_read_from_the_code() -> None:
    graph = import_graph()
    assert {"core", "auth", "audit", "caseload", "main"} <= set(graph)
    assert "auth" in graph["caseload"] and "core" in graph["auth"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_a_relative_import_counts_as_the_module_it_names() -> None:
    """`from ..caseload import service` in the survey closes a cycle (caseload imports the
    survey); the test sees it as it would `from app.caseload import service`."""
    views = APP / "survey" / "views.py"
    edited = views.read_text(encoding="utf-8") + "\nfrom ..caseload import service\n"
    assert "caseload" in imported_packages(views, edited)
    assert imported_packages(APP / "survey" / "__init__.py", "from . import views\n") == {"survey"}
    assert find_cycle(import_graph({views: edited})) is not None


def test_no_package_imports_itself_through_others() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "packages import each other in a cycle: " + " → ".join(cycle or [])


def test_core_imports_no_other_package() -> None:
    assert import_graph()["core"] == set()


def test_the_audit_log_imports_only_core() -> None:
    assert import_graph()["audit"] <= {"core"}


def python_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def function_lengths(module: Path) -> list[tuple[str, int]]:
    """Each function of a module, `path:line name`, with its length in lines."""
    where = module.relative_to(APP.parent)
    return [
        (f"{where}:{node.lineno} {node.name}", (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_function_lengths_are_read_from_the_code() -> None:
    lengths = dict(length for module in python_files() for length in function_lengths(module))
    create_app = next(length for name, length in lengths.items() if name.endswith(" create_app"))
    assert 5 < create_app <= MAX_FUNCTION_LINES and len(lengths) > 300


def longer_than(limit: int, lengths: Callable[[Path], list[tuple[str, int]]]) -> list[str]:
    """Every function `lengths` reads from app/ that is longer than `limit`, with its length."""
    return [
        f"{name}: {length} lines"
        for module in python_files()
        for name, length in lengths(module)
        if length > limit
    ]


def test_no_function_over_40_lines() -> None:
    offenders = longer_than(MAX_FUNCTION_LINES, function_lengths)
    assert not offenders, (
        f"Functions over {MAX_FUNCTION_LINES} lines (about 40 is the guideline): make them "
        "of named steps.\n" + "\n".join(offenders)
    )


def test_no_file_over_400_lines() -> None:
    offenders = [
        f"{module.relative_to(APP.parent)}: {lines} lines"
        for module in python_files()
        if (lines := len(module.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert not offenders, (
        f"Files over {MAX_FILE_LINES} lines (about 400 is the guideline): split each along "
        "its seam.\n" + "\n".join(offenders)
    )


# --- read models and adapters: the SQL lives in the domain that owns the tables ----------

READERS = ("caseload", "fhir")  # a read model and an adapter: no queries of others' tables


def imported_tables(source: str, package: str) -> dict[str, str]:
    """The tables of other domains a module of `package` imports (`from app.plan.models import
    Goal`), by the name used for each: `Goal` → `plan.Goal`. Enums and schemas are left out."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        parts = node.module.split(".")
        if len(parts) == 3 and parts[0] == "app" and parts[2] == "models" and parts[1] != package:
            models = importlib.import_module(node.module)
            for alias in node.names:
                if hasattr(getattr(models, alias.name, None), "__table__"):
                    found[alias.asname or alias.name] = f"{parts[1]}.{alias.name}"
    return found


def uses_outside_annotations(source: str, names: set[str]) -> list[str]:
    """`line name` wherever one of `names` is used other than in a type annotation."""
    tree = ast.parse(source)
    in_annotations: set[int] = set()
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a]
            annotations = [node.returns, *(a.annotation for a in every)]
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for annotation in filter(None, annotations):
            in_annotations |= {id(inner) for inner in ast.walk(annotation)}
    return [
        f"{node.lineno} {node.id}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in names and id(node) not in in_annotations
    ]


def reader_modules() -> list[tuple[Path, str, str]]:
    """Each module of the read model and the adapter: its path, package and source."""
    return [
        (module, package, module.read_text(encoding="utf-8"))
        for package in READERS
        for module in sorted((APP / package).rglob("*.py"))
    ]


def test_read_models_and_adapters_query_no_other_domains_tables() -> None:
    """The caseload (a read model) and the FHIR adapter read other domains only through their
    services and named queries: another domain's table is only ever a type there (the rows
    those hand over); its enums may be used anywhere. The SQL that reads a table, and the
    rule it encodes, lives in the domain that owns the table."""
    offenders = [
        f"{module.relative_to(APP.parent)}:{use}"
        for module, package, source in reader_modules()
        for use in uses_outside_annotations(source, set(imported_tables(source, package)))
    ]
    assert not offenders, (
        "another domain's table used other than as a type (ask its service or named "
        "queries instead):\n" + "\n".join(offenders)
    )


def test_the_caseload_imports_no_table_of_the_survey_or_the_plan() -> None:
    tables = {
        table
        for _module, package, source in reader_modules()
        if package == "caseload"
        for table in imported_tables(source, package).values()
    }
    assert tables <= {"auth.Account"}, tables  # the actor, and the accounts auth hands over


def test_a_table_used_in_a_query_is_found() -> None:
    source = (
        "from app.plan.models import Goal, PlanState\n"
        "def f(goal: Goal) -> list[Goal]:\n"
        "    return select(Goal).where(PlanState.DRAFT)\n"
    )
    assert imported_tables(source, "caseload") == {"Goal": "plan.Goal"}
    assert imported_tables(source, "plan") == {}
    assert uses_outside_annotations(source, {"Goal"}) == ["3 Goal"]


MAX_ROUTE_LINES = 18  # the guideline is about 15: a route reads input, calls, answers
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route"}


def is_route(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated by a router's or the application's method: `@router.get(...)`, `@app.post`."""
    for decorator in function.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ROUTE_METHODS:
            return True
    return False


def route_lengths(module: Path) -> list[tuple[str, int]]:
    where = module.relative_to(APP.parent)
    return [
        (f"{where}:{node.lineno} {node.name}", (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and is_route(node)
    ]


def test_routes_are_read_from_the_code() -> None:
    routes = dict(length for module in python_files() for length in route_lengths(module))
    assert any(name.endswith(" choose_language") for name in routes) and len(routes) > 50


def test_no_route_over_15_lines() -> None:
    offenders = longer_than(MAX_ROUTE_LINES, route_lengths)
    assert not offenders, (
        f"Routes over {MAX_ROUTE_LINES} lines (about 15 is the guideline): move the work into "
        "a service or presenter.\n" + "\n".join(offenders)
    )
