"""The project's shape, kept true: no import circles, a client that stands alone, an engine laid
out by HPCC component with no web code in it. Read from the source with `ast`, so deferred imports
inside functions count as much as those at the top of a module."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: import name -> source folder (clients/ installs as the `hpccemu` package)
PACKAGES = {"wsservices": ROOT / "wsservices", "hpccemu": ROOT / "clients"}
#: the in-process hosts: the only client modules that may load the server
CLIENT_HOSTS = {"hpccemu.testing", "hpccemu.pytest_plugin"}
ENGINE = ROOT / "wsservices" / "engine"
#: the engine's components, each importing only the shared modules and the components before it
COMPONENT_ORDER = ("jlib", "dali", "dfu", "landingzone", "packagemaps", "fileview", "roxie", "nodes", "xref")
#: the shared modules that assemble the components
ASSEMBLERS = {"cluster", "reset", "recovery"}
COMPONENT_PREFIXES = ("dfs_", "dfu", "pkg_", "roxie_", "dali_", "xref_")
WEB_LIBRARIES = {"spyne", "werkzeug", "zeep", "requests"}


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module this project's module `name` imports, anywhere in its body (absolute names;
    `from pkg import mod` counts as importing `pkg.mod`)."""
    path = MODULES[name]
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


GRAPH = {name: {m for m in _imports(name) if m in MODULES and m != name} for name in MODULES}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    assert _circles(GRAPH) == []


def test_client_modules_import_no_server_code_in_their_source():
    offenders = {name: sorted(m for m in _imports(name) if m.split(".")[0] == "wsservices")
                 for name in MODULES if name.startswith("hpccemu") and name not in CLIENT_HOSTS}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_client_module_loads_no_server_module():
    clients = sorted(n for n in MODULES if n.startswith("hpccemu") and n not in CLIENT_HOSTS)
    script = ("import importlib, json, sys\n"
              f"for name in {clients!r}:\n"
              "    importlib.import_module(name)\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'wsservices')))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=ROOT / "tests")
    assert json.loads(out.stdout) == []


def test_engine_top_holds_only_what_every_component_shares():
    top = sorted(p.stem for p in ENGINE.glob("*.py") if p.stem != "__init__")
    assert len(top) <= 12, top
    assert [m for m in top if m.startswith(COMPONENT_PREFIXES)] == []
    components = sorted(p.name for p in ENGINE.iterdir() if (p / "__init__.py").is_file())
    assert components == sorted(COMPONENT_ORDER)


def test_engine_modules_import_no_web_or_service_code():
    bad = {name: sorted(m for m in _imports(name) if m.split(".")[0] in WEB_LIBRARIES
                        or (m.startswith("wsservices.") and not m.startswith("wsservices.engine")))
           for name in MODULES if name.startswith("wsservices.engine")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_every_module_says_what_it_is():
    missing = [name for name, path in MODULES.items()
               if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text())) is None
               and name.startswith("wsservices.engine")]
    assert missing == []


def test_client_format_numbers_match_the_dfu_table():
    from hpccemu.filespray import DFU_FORMATS
    from wsservices.engine.dfu.transfer.formats import FileFormat

    assert {name: number for name, number in DFU_FORMATS.items() if name != "ascii"} == \
        {f.dfu_name: int(f) for f in FileFormat}
    assert DFU_FORMATS["ascii"] == FileFormat.from_name("ascii")


def _component(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["wsservices", "engine"] or len(parts) < 3:
        return None
    return parts[2] if parts[2] in COMPONENT_ORDER else "shared:" + parts[2]


def test_engine_components_depend_one_way():
    wrong = set()
    for name, deps in GRAPH.items():
        here = _component(name)
        if here is None:
            continue
        for dep in deps:
            there = _component(dep)
            if there is None or there == here or there.startswith("shared:"):
                continue
            if here.startswith("shared:"):
                if here[len("shared:"):] not in ASSEMBLERS:
                    wrong.add((name, dep))
            elif COMPONENT_ORDER.index(there) > COMPONENT_ORDER.index(here):
                wrong.add((name, dep))
    assert sorted(wrong) == []


def test_spyne_is_imported_only_by_the_esp_layer_which_loads_its_compatibility_module_first():
    """spyne is confined to wsservices.esp, so a maintained fork can replace it there, and
    wsservices.esp's package runs `spynecompat` (Python 3.12/3.13 fixes) before any of its modules."""
    users = sorted(name for name in MODULES if any(m.split(".")[0] == "spyne" for m in _imports(name)))
    assert users and [u for u in users if not u.startswith("wsservices.esp.")] == []
    init = ast.parse((ROOT / "wsservices" / "esp" / "__init__.py").read_text())
    first = [node for node in init.body if isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr))
             and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert ast.unparse(first[0]) == "from wsservices.esp import spynecompat"
    assert ast.unparse(first[1]) == "spynecompat.install()"
