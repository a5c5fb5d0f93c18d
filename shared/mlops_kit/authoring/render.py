"""Solution files in, lab file contents out: in memory and deterministic, so a check can compare bytes."""

import copy
from pathlib import Path, PurePosixPath

import nbformat
from nbformat import NotebookNode

from .errors import AuthoringError, Location
from .transforms import CELL_TRANSFORMS, NOTEBOOK_TRANSFORMS, PYTHON_TRANSFORMS, YAML_TRANSFORMS

# Left behind by running or importing things; never part of a lab, never reported as orphaned.
JUNK_NAMES = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store"})
JUNK_SUFFIXES = (".pyc", ".pyo")


def is_junk(relative: PurePosixPath) -> bool:
    return any(part in JUNK_NAMES for part in relative.parts) or relative.suffix in JUNK_SUFFIXES


def shown(path: Path) -> str:
    """A path as the author should read it: relative to the current directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def read_solution_notebook(path: Path) -> NotebookNode:
    """Read and validate a solution; give cells without ids stable ones so the lab is byte-stable."""
    where = Location(shown(path))
    try:
        notebook = nbformat.reader.reads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise AuthoringError(where, f"is not UTF-8 text ({error.reason} at byte {error.start}). Re-save it from Jupyter.") from None
    except nbformat.reader.NotJSONError as error:
        cause = error.__cause__
        raise AuthoringError(
            where,
            f"is not valid notebook JSON ({cause.msg}, column {cause.colno}). Fix the file or re-save it from Jupyter.",
            cause.lineno,
        ) from None
    except (nbformat.ValidationError, nbformat.reader.NBFormatError) as error:
        raise AuthoringError(where, f"is not a notebook Jupyter can read: {error}") from None
    if notebook.nbformat != 4:
        raise AuthoringError(where, f"is nbformat {notebook.nbformat}; save it as nbformat 4 (any current Jupyter does).")
    if notebook.nbformat_minor >= 5:
        for index, cell in enumerate(notebook.cells):
            cell.setdefault("id", f"cell-{index}")
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise AuthoringError(where, f"is not a valid notebook: {error.message}. Re-save it from Jupyter.") from None
    return notebook


def to_lab_notebook(solution: NotebookNode, source: str) -> NotebookNode:
    """Run the declared transforms over a copy of the solution."""
    lab = copy.deepcopy(solution)
    for transform in NOTEBOOK_TRANSFORMS:
        lab = transform(lab, Location(source))
    cells = []
    for index, cell in enumerate(lab.cells):
        for transform in CELL_TRANSFORMS:
            cell = transform(cell, Location(source, index))
            if cell is None:
                break
        else:
            cells.append(cell)
    lab.cells = cells
    return lab


def notebook_bytes(notebook: NotebookNode) -> bytes:
    """nbformat's own serialisation (sorted keys, one-space indent) plus a trailing newline, as git likes."""
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def render_notebook(path: Path) -> bytes:
    return notebook_bytes(to_lab_notebook(read_solution_notebook(path), shown(path)))


def render_text(path: Path, transforms) -> bytes:
    where = Location(shown(path))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise AuthoringError(where, f"is not UTF-8 text ({error.reason} at byte {error.start}). Save it as UTF-8.") from None
    for transform in transforms:
        text = transform(text, where)
    return text.encode("utf-8")


def render_file(path: Path) -> bytes:
    """A support file as the lab gets it: notebooks, .py and YAML transformed, anything else verbatim."""
    if path.suffix == ".ipynb":
        return render_notebook(path)
    if path.suffix == ".py":
        return render_text(path, PYTHON_TRANSFORMS)
    if path.suffix in (".yml", ".yaml"):
        return render_text(path, YAML_TRANSFORMS)
    return path.read_bytes()


def _support_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        relative = PurePosixPath(path.relative_to(folder).as_posix())
        if path.is_file() and not is_junk(relative):
            yield path


def render_labs(solutions_dir: Path) -> dict[PurePosixPath, bytes]:
    """Every lab file, keyed by its path under labs/ (the same as its source's under solutions/)."""
    if not solutions_dir.is_dir():
        raise AuthoringError(Location(shown(solutions_dir)), "is not a folder. Pass the folder holding the solution notebooks.")
    notebooks = sorted(solutions_dir.glob("*.ipynb"))
    stems = {notebook.stem for notebook in notebooks}
    for folder in sorted(path for path in solutions_dir.iterdir() if path.is_dir()):
        # Only lab-named folders are support folders; others (e.g. data/ that running a lab writes) are not ours.
        if folder.name.startswith("lab") and folder.name not in stems and not is_junk(PurePosixPath(folder.name)):
            raise AuthoringError(
                Location(shown(folder)),
                f"has no notebook {folder.name}.ipynb beside it; a support folder shares its lab's name. "
                "Rename the folder or the notebook.",
            )
    rendered: dict[PurePosixPath, bytes] = {}
    for notebook in notebooks:
        rendered[PurePosixPath(notebook.name)] = render_notebook(notebook)
        support = solutions_dir / notebook.stem
        if support.is_dir():
            for path in _support_files(support):
                rendered[PurePosixPath(path.relative_to(solutions_dir).as_posix())] = render_file(path)
    return rendered
