"""The layers in pyproject.toml hold only if nobody dodges them: an import of a project module
inside a function is invisible at a glance, so each one must say why it cannot be at the top."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = (ROOT / "src" / "loket", ROOT / "bench")


PROJECT = {"loket", "bench"}


def imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return ["." if node.level else node.module or ""]
    return [alias.name for alias in node.names]


def nested_project_imports(source: str) -> list[int]:
    """Line numbers of imports of project modules (or relative ones) below the module level."""
    tree = ast.parse(source)
    top_level = {id(node) for node in tree.body}
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    return [
        node.lineno
        for node in imports
        if id(node) not in top_level
        and any(name == "." or name.split(".")[0] in PROJECT for name in imported_modules(node))
    ]


def explained(lines: list[str], number: int) -> bool:
    """A comment on the import's line or on the lines just above it."""
    index = number - 1
    return "#" in lines[index] or (index > 0 and lines[index - 1].strip().startswith("#"))


def unexplained_imports(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    return [
        f"{path.relative_to(ROOT)}:{number}: {lines[number - 1].strip()}"
        for number in nested_project_imports(source)
        if not explained(lines, number)
    ]


def test_no_project_module_is_imported_inside_a_function_without_a_reason() -> None:
    found = [
        problem
        for folder in CHECKED
        for path in sorted(folder.rglob("*.py"))
        if "migrations" not in path.parts
        for problem in unexplained_imports(path)
    ]
    assert found == [], "import these at the top, or say in a comment why they cannot be:\n" + (
        "\n".join(found)
    )


def test_the_check_finds_a_hidden_import_and_accepts_an_explained_one() -> None:
    hidden = "def f():\n    from loket.tickets import operations\n"
    explained_source = (
        "def f():\n    # settings must be configured first\n    import loket.worker\n"
    )
    assert nested_project_imports(hidden) == [2]
    assert not explained(hidden.splitlines(), 2)
    assert nested_project_imports(explained_source) == [3]
    assert explained(explained_source.splitlines(), 3)
