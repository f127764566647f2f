"""domain/rights.py is the only place that says which roles may do what: an AST scan of the package
fails on a role constant (PRINCIPAL, CLERK, …) used for a decision anywhere else — an `.has(…)` /
`.require(…)` with roles, a comparison or set operation with them, a list of roles."""

from __future__ import annotations

import ast
from pathlib import Path

from hocbaso_desktop.domain import roles
from hocbaso_desktop.domain.roles import ROLE_NAMES, Actor

PACKAGE = Path(roles.__file__).resolve().parents[1]
ROLE_CONSTANTS = {name for name, value in vars(roles).items() if name.isupper() and isinstance(value, str) and value in ROLE_NAMES}
HOME = {"domain/rights.py", "domain/roles.py"}
# Modules that hold roles as data, not as permission: each may name role constants in its tables and
# lookups, never in a decision about the person at the keyboard.
ROLE_DATA = {
    "exchange/staff_list.py": "job titles of a staff list → the roles the import gives",
    "services/staff_admin.py": "staff code prefixes by role (HT, PHT, QT, GV…)",
    "services/board_signer.py": "who holds the principal's and vice-principals' posts the records name",
}
# `x.has(…)` with strings is the XML reader's "has this element", not a role test
CHECK_CALLS = {"has", "require"}


def _role_names(tree: ast.Module) -> set[str]:
    """Local names bound to role constants by `from …domain.roles import …` (aliases followed)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("roles") and node.level <= 2:
            out |= {a.asname or a.name for a in node.names if a.name in ROLE_CONSTANTS}
    return out


def _is_role(node: ast.AST, names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):  # roles.PRINCIPAL
        return node.attr in ROLE_CONSTANTS and isinstance(node.value, ast.Name) and node.value.id == "roles"
    if isinstance(node, ast.Starred):
        return _is_role(node.value, names)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_role(e, names) for e in node.elts)
    return False


def _mentions_roles_attr(node: ast.AST) -> bool:
    """`actor.roles`, `roles` — the role set of a person."""
    return any((isinstance(n, ast.Attribute) and n.attr == "roles") or (isinstance(n, ast.Name) and n.id == "roles")
               for n in ast.walk(node))


def violations(path: Path) -> list[str]:
    rel = path.relative_to(PACKAGE).as_posix()
    if rel in HOME:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = _role_names(tree)
    out = []

    def bad(node: ast.AST, why: str) -> None:
        out.append(f"{rel}:{getattr(node, 'lineno', '?')}: {why}: {ast.unparse(node)[:100]}")

    module_level = {id(n) for stmt in tree.body if isinstance(stmt, (ast.Assign, ast.AnnAssign)) for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr in CHECK_CALLS and any(_is_role(a, names) for a in node.args):
                bad(node, f"role test .{f.attr}(…) — use rights.require / rights.allowed")
            if isinstance(f, ast.Name) and f.id in {"set", "frozenset", "tuple", "list"} and any(
                    _is_role(a, names) for a in node.args) and rel not in ROLE_DATA:
                bad(node, "a role list — declare a right in domain/rights.py")
        elif isinstance(node, (ast.Compare, ast.BinOp, ast.BoolOp)):
            parts = ([node.left, *node.comparators] if isinstance(node, ast.Compare) else
                     [node.left, node.right] if isinstance(node, ast.BinOp) else node.values)
            if any(_is_role(p, names) for p in parts) and (rel not in ROLE_DATA or any(_mentions_roles_attr(p) for p in parts)):
                bad(node, "a decision on roles — use rights.allowed(actor, RIGHT)")
        elif (isinstance(node, (ast.Tuple, ast.List, ast.Set)) and _is_role(node, names)
              and (rel not in ROLE_DATA or id(node) not in module_level)):
            bad(node, "a role list — declare a right in domain/rights.py")
    if names and rel not in ROLE_DATA:
        out.append(f"{rel}: imports role constants {sorted(names)} — decide with domain/rights.py")
    return out


def test_no_role_decision_outside_the_rights_matrix() -> None:
    found = [v for p in sorted(PACKAGE.rglob("*.py")) if "forms" not in p.parts for v in violations(p)]
    assert found == []


def test_actor_has_no_role_test_of_its_own() -> None:
    # Actor.has / Actor.require took a role list at the call site: gone, so only the matrix decides
    assert not hasattr(Actor, "has") and not hasattr(Actor, "require") and not hasattr(Actor, "sees_everything")


def test_the_scan_sees_each_kind_of_role_decision(tmp_path: Path, monkeypatch) -> None:
    """The scan itself: every form a role decision took before the matrix governed is caught."""
    services = PACKAGE / "services"
    samples = {
        "actor.has(PRINCIPAL)": "role test .has",
        "actor.require('khóa', PRINCIPAL)": "role test .require",
        "actor.has(*EXPORT_ROLES)": None,  # a name bound to a tuple: the tuple itself is caught below
        "EXPORT_ROLES = (PRINCIPAL, CLERK)": "a role list",
        "x = actor.roles & {PRINCIPAL, VICE_PRINCIPAL}": "a decision on roles",
        "x = HOMEROOM in actor.roles": "a decision on roles",
        "x = replace(actor, roles=actor.roles - {HOMEROOM})": "a decision on roles",
        "x = role not in (ADMIN, PRINCIPAL)": "a decision on roles",
    }
    for code, why in samples.items():
        f = services / "_scan_sample_h7.py"
        monkeypatch.setattr(Path, "read_text", lambda self, encoding=None, _c=code: (
            "from ..domain.roles import ADMIN, CLERK, HOMEROOM, PRINCIPAL, VICE_PRINCIPAL\n" + _c + "\n"))
        found = violations(f)
        assert any("imports role constants" in v for v in found), code
        if why:
            assert any(why in v for v in found), (code, found)


def test_every_declared_right_decides_something() -> None:
    """A right nobody checks is a promise the program does not keep (issue 18 found 9): each constant
    of the matrix is named by some service, command or window outside rights.py."""
    from hocbaso_desktop.domain import rights

    constants = {name for name, value in vars(rights).items() if isinstance(value, str) and value in rights.RIGHTS}
    used: set[str] = set()
    for p in PACKAGE.rglob("*.py"):
        if p.relative_to(PACKAGE).as_posix() in HOME:
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in constants:
                used.add(node.attr)
            elif isinstance(node, ast.Name) and node.id in constants:
                used.add(node.id)
            elif isinstance(node, ast.alias) and node.name in constants:
                used.add(node.name)
    assert sorted(constants - used) == []
