"""An app uses another app's public names only: a leading-underscore function or class of
another app (``from coopcis.apps.billing.pdf.plain_pdf import _literal``, or
``letter._page`` on a module imported from billing) may change under it unannounced."""

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "src" / "coopcis" / "apps"


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["coopcis", "apps"] and len(parts) > 2 else None


def private_uses(path: Path, own_app: str) -> list[str]:
    """The other apps' private names that the module at ``path`` uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    foreign_modules: set[str] = set()  # local names bound to another app's modules
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            app = _app(node.module)
            if app is None or app == own_app:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                else:
                    foreign_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                app = _app(alias.name)
                if app is not None and app != own_app and alias.asname:
                    foreign_modules.add(alias.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign_modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_checker_sees_both_kinds_of_use(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text(
        "from coopcis.apps.billing.pdf import letter\n"
        "from coopcis.apps.billing.pdf.plain_pdf import PlainCanvas, _literal\n"
        "from coopcis.apps.governance.notices import _lines\n"
        "letter._page(None)\n"
    )
    assert sorted(private_uses(module, "governance")) == [
        "coopcis.apps.billing.pdf.plain_pdf._literal",
        "letter._page",
    ]


def test_no_app_uses_another_apps_private_names():
    offenders = {
        str(path.relative_to(APPS)): uses
        for path in sorted(APPS.rglob("*.py"))
        if (uses := private_uses(path, path.relative_to(APPS).parts[0]))
    }
    assert offenders == {}
