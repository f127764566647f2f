"""Imports point one way, as the README draws it: gui/cli → services → storage/exchange/signing/sync → domain.

Read from the source (ast), so an import hidden inside a function counts as much as one at the top:
a lazy import keeps `hocbaso --help` cheap, it does not make a wrong dependency right.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "hocbaso_desktop"
SOURCE = Path(__file__).resolve().parent.parent / PACKAGE

# Small modules at the package's top that every layer may use; they stand just above domain.
BASE = {"fileio", "file_modes", "paths", "safe_xml", "logs"}
CORE = ("domain", "storage", "signing", "sync", "exchange", "services")

# (importing layer, imported layer or PySide6, why it is wrong)
FORBIDDEN: list[tuple[str, str, str]] = [
    *[(layer, "gui", "the core runs without Qt") for layer in CORE],
    *[(layer, "PySide6", "the core runs without Qt") for layer in CORE],
    *[(layer, target, "the core is called by the CLI, never the other way")
      for layer in CORE for target in ("commands", "cli")],
    ("exchange", "services", "exchange draws and reads formats; the use cases live above it"),
    ("signing", "exchange", "exchange verifies signatures, so signing stays below it"),
    *[("storage", target, "storage holds the tables; everything else stands on it")
      for target in ("exchange", "signing", "sync", "services")],
    *[(base, target, "the shared helpers stand just above domain")
      for base in BASE for target in ("storage", "exchange", "signing", "sync", "services")],
]
DOMAIN_MAY_IMPORT = {"domain"}  # domain is pure: nothing of the package above it

# The GUI and the CLI reach exchange through services. An exception would be listed here with its reason
# (importer → exchange module); there is none.
FACE_TO_EXCHANGE_ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Edge:
    importer: str  # "exchange.report_pdf"
    imported: str  # "services.reports", "PySide6.QtCore"
    line: int

    @property
    def source_layer(self) -> str:
        return self.importer.split(".")[0]

    @property
    def target_layer(self) -> str:
        return self.imported.split(".")[0]


def _module_parts(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_module(root: Path, dotted: str) -> bool:
    first, _, rest = dotted.partition(".")
    if first != PACKAGE or not rest:
        return False
    path = root.joinpath(*rest.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def edges(root: Path = SOURCE) -> list[Edge]:
    """Every import of the package's own modules and of PySide6, with the importer's dotted name."""
    out: list[Edge] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue  # Alembic's revisions are loaded by Alembic, not imported by the layers
        parts = _module_parts(path, root)
        if not parts:
            continue
        package = parts if path.name == "__init__.py" else parts[:-1]
        importer = ".".join(parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    module = ".".join([PACKAGE, *package[: len(package) - node.level + 1], *filter(None, [node.module])])
                else:
                    module = node.module or ""
                # `from ..services import reports`: the name is a module when such a file exists
                names = list(dict.fromkeys(f"{module}.{a.name}" if _is_module(root, f"{module}.{a.name}") else module
                                           for a in node.names))
            for name in names:
                first, _, rest = name.partition(".")
                if first == PACKAGE and rest and rest != "__version__":
                    out.append(Edge(importer, rest, node.lineno))
                elif first == "PySide6":
                    out.append(Edge(importer, name, node.lineno))
    return out


def violations(root: Path = SOURCE) -> list[str]:
    found: list[str] = []
    for e in edges(root):
        src, dst = e.source_layer, e.target_layer
        where = f"{e.importer.replace('.', '/')}.py:{e.line} imports {e.imported}"
        for a, b, why in FORBIDDEN:
            if src == a and dst == b:
                found.append(f"{where}: {why}")
        if src == "domain" and dst not in DOMAIN_MAY_IMPORT:
            found.append(f"{where}: domain is pure, it imports nothing of the package above it")
        if src in ("gui", "commands", "cli") and dst == "exchange":
            key = (e.importer, e.imported)
            if key not in FACE_TO_EXCHANGE_ALLOWED:
                found.append(f"{where}: the GUI and the CLI reach exchange through services "
                             "(or add it to FACE_TO_EXCHANGE_ALLOWED with a reason)")
    return found


def test_the_tree_keeps_the_layers() -> None:
    assert violations() == []


def test_the_allow_list_holds_no_stale_entry() -> None:
    # An entry whose import is gone would silently allow it to come back.
    present = {(e.importer, e.imported) for e in edges()}
    assert sorted(set(FACE_TO_EXCHANGE_ALLOWED) - present) == []


def test_commands_import_cli_only_for_the_entry_point() -> None:
    # open_store and the parser live in commands/common.py: no command reaches back into cli.py
    assert [e for e in edges() if e.source_layer == "commands" and e.target_layer == "cli"] == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for d in {p.parent for p in root.rglob("*.py")} | {root}:
        (d / "__init__.py").touch()
    return root


@pytest.mark.parametrize(("files", "expected"), [
    ({"exchange/report_pdf.py": "from ..services.reports import Report\n"}, "exchange/report_pdf.py:1 imports services.reports"),
    # hidden inside a function, it still counts
    ({"exchange/x.py": "def f():\n    from ..services import reports\n", "services/reports.py": ""},
     "exchange/x.py:2 imports services.reports"),
    ({"exchange/x.py": "from hocbaso_desktop.gui.app import main\n"}, "exchange/x.py:1 imports gui.app"),
    ({"services/x.py": "def f():\n    from PySide6.QtCore import QObject\n"}, "services/x.py:2 imports PySide6.QtCore"),
    ({"storage/x.py": "import PySide6\n"}, "storage/x.py:1 imports PySide6"),
    ({"signing/x.py": "from ..cli import open_store\n"}, "signing/x.py:1 imports cli"),
    ({"exchange/archive/x.py": "from ...commands.common import open_store\n"}, "exchange/archive/x.py:1 imports commands.common"),
    ({"signing/x.py": "from ..exchange.safe_xml import parse_xml\n"}, "signing/x.py:1 imports exchange.safe_xml"),
    ({"domain/x.py": "from ..storage.engine import Store\n"}, "domain/x.py:1 imports storage.engine"),
    ({"domain/x.py": "from .. import fileio\n", "fileio.py": ""}, "domain/x.py:1 imports fileio"),
    ({"gui/x.py": "from ..exchange.report_pdf import write_report_pdf\n"}, "gui/x.py:1 imports exchange.report_pdf"),
    ({"commands/x.py": "from ..exchange import class_list_template\n", "exchange/class_list_template.py": ""},
     "commands/x.py:1 imports exchange.class_list_template"),
])
def test_a_wrong_import_is_caught(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    found = violations(_tree(tmp_path, files))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_the_right_imports_pass(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "domain/a.py": "from .b import X\nfrom . import c\n",
        "exchange/r.py": "from ..domain.report_data import Report\nfrom ..signing.trust import TrustStore\nfrom .. import fileio\n",
        "services/s.py": "from ..exchange.report_pdf import write_report_pdf\nfrom .. import __version__\n",
        "gui/g.py": "from PySide6.QtCore import QObject\nfrom ..services import reports\n",
        "commands/c.py": "from .common import open_store\nfrom ..services.reports import write_report\n",
        "cli.py": "from .commands import ALL\n",
    })
    assert violations(root) == []
