"""The import graph of the project's own modules: no cycle (imports inside functions and under ``if TYPE_CHECKING:``
count too), no module imports another module's private (``_name``) functions or classes, and the packages keep
their places in the flow:

- ``review_service.core`` imports no other package of the project (only the standard library, third-party
  packages and ``core`` itself);
- ``review_service.stages`` and ``review_service.intake`` never import ``contest``, ``api``, ``web``, ``server`` or
  ``commands`` (the stages and intake are pure work; the people's acts and the faces sit above them);
- ``review_service.api`` and ``review_service.web`` never import each other (both use the service packages).

Each offending import is reported as ``file:line imports module``.
"""
from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("review_service", "embeddings", "models", "prompts")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    name: str  # the imported name ("" for the module itself)
    where: str  # file:line


@dataclass(frozen=True)
class Rule:
    """Modules under ``importer`` import nothing under any of ``forbidden`` (dotted package prefixes);
    ``allowed``: packages excepted among the forbidden (the importer's own, say); ``allowed_modules``: single
    modules excepted (not what is under them)."""

    importer: str
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    allowed_modules: tuple[str, ...] = ()

    def broken_by(self, imp: Import) -> bool:
        def under(module: str, package: str) -> bool:
            return module == package or module.startswith(package + ".")

        return (under(imp.source, self.importer) and any(under(imp.target, f) for f in self.forbidden)
                and not any(under(imp.target, a) for a in self.allowed) and imp.target not in self.allowed_modules)


PROJECT = tuple(f"review_service.{p.name}" for p in sorted((ROOT / "review_service").iterdir())
                if p.is_dir() and (p / "__init__.py").is_file()) + ("embeddings", "models", "prompts")
FACES = ("review_service.api", "review_service.web", "review_service.server", "review_service.commands")
CORE_RULE = Rule("review_service.core", ("review_service", "embeddings", "models", "prompts"),
                 allowed=("review_service.core",), allowed_modules=("review_service",))  # its __version__
STAGES_RULES = tuple(Rule(p, ("review_service.contest", *FACES))
                     for p in ("review_service.stages", "review_service.intake"))
FACES_RULES = (Rule("review_service.api", ("review_service.web",)),
               Rule("review_service.web", ("review_service.api",)))


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if "alembic" in parts:  # migration scripts are loaded by Alembic, not imported
                continue
            out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: Mapping[str, Path]) -> list[Import]:
    """Every import of a project module in ``path``: at the top, inside functions and under ``if TYPE_CHECKING:``
    (a type checker follows those, and a cycle through them is a cycle of the design)."""
    is_package = path.name == "__init__.py"
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [Import(name, a.name, "", f"{where}:{node.lineno}") for a in node.names
                    if a.name.split(".")[0] in PACKAGES]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.append(Import(name, sub, "", f"{where}:{node.lineno}") if sub in modules
                           else Import(name, module, alias.name, f"{where}:{node.lineno}"))
    return out


def _all_imports() -> list[Import]:
    modules = _modules()
    return [imp for name, path in modules.items() for imp in _imports(name, path, modules)
            if imp.target in modules and imp.target != name]


def _graph(imports: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in _modules()}
    for imp in imports:
        graph[imp.source].add(imp.target)
    return graph


def _private(imports: list[Import]) -> list[str]:
    return [f"{imp.where} imports {imp.name} from {imp.target}" for imp in imports
            if imp.name.startswith("_") and not imp.name.startswith("__")]


def _broken(rules: tuple[Rule, ...], imports: list[Import]) -> list[str]:
    """Each import that breaks one of ``rules``, as ``file:line imports module`` (sorted)."""
    return sorted({f"{imp.where} imports {imp.target}" + (f".{imp.name}" if imp.name else "")
                   for imp in imports for rule in rules if rule.broken_by(imp)})


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _cycle_lines(imports: list[Import]) -> list[str]:
    """Each cycle with the imports that close it, as ``file:line imports module``."""
    out = []
    for comp in _cycles(_graph(imports)):
        members = set(comp)
        edges = sorted(f"{imp.where} imports {imp.target}" for imp in imports
                       if imp.source in members and imp.target in members)
        out.append(" → ".join(comp) + ": " + "; ".join(edges))
    return out


def test_no_import_cycle_among_the_project_modules() -> None:
    imports = _all_imports()
    assert len(_graph(imports)) > 50  # the walk found the project
    assert _cycle_lines(imports) == []


def test_no_module_imports_another_modules_private_names() -> None:
    assert _private(_all_imports()) == []


def test_core_imports_no_other_package_of_the_project() -> None:
    assert _broken((CORE_RULE,), _all_imports()) == []


def test_stages_and_intake_never_import_contest_or_the_faces() -> None:
    assert _broken(STAGES_RULES, _all_imports()) == []


def test_api_and_web_never_import_each_other() -> None:
    assert _broken(FACES_RULES, _all_imports()) == []


def test_the_rules_name_real_packages() -> None:
    named = {p for rule in (CORE_RULE, *STAGES_RULES, *FACES_RULES) for p in (rule.importer, *rule.forbidden)}
    assert named - {"review_service"} <= set(PROJECT)


def test_the_checker_sees_a_cycle_and_a_private_import() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert _private([Import("a", "b", "_helper", "a.py:3"), Import("a", "b", "helper", "a.py:4")]) == [
        "a.py:3 imports _helper from b"]


def test_the_checker_sees_an_import_that_breaks_a_package_rule(tmp_path: Path) -> None:
    source = tmp_path / "review_service" / "core" / "thing.py"
    source.parent.mkdir(parents=True)
    source.write_text("from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\n"
                      "from review_service.core.errors import ReviewError\n"
                      "if TYPE_CHECKING:\n    from review_service.storage import Database\n\n"
                      "def f():\n    import review_service.api.batch_routes\n", encoding="utf-8")
    modules = {"review_service.core.thing": source, "review_service.core.errors": source,
               "review_service.api.batch_routes": source}
    imports = _imports("review_service.core.thing", source, modules)
    assert _broken((CORE_RULE,), imports) == [f"{source}:10 imports review_service.api.batch_routes",
                                              f"{source}:7 imports review_service.storage.Database"]
    assert _broken(STAGES_RULES + FACES_RULES, imports) == []
    assert not CORE_RULE.broken_by(Import("review_service.core.provenance", "review_service", "__version__", "x:1"))
    assert Rule("review_service.stages", ("review_service.contest",)).broken_by(
        Import("review_service.stages.notes.drafting", "review_service.contest.scoring", "", "x.py:1"))
    assert not Rule("review_service.stages", ("review_service.contest",)).broken_by(
        Import("review_service.stages_extra", "review_service.contest", "", "x.py:1"))
