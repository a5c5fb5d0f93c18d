"""A Sphinx extension the book loads (see _config.yml): solution pages teach instead of telling.

A solution notebook's exercise cells hold the answer between solution markers. On its
page each such cell shows as the learner's lab has it (the TODO with its hint), with the
committed outputs (what the learner should see), and the answer follows folded in a
"Solution" dropdown. The page's download button gives the learner's lab notebook
(`labs/<name>.ipynb`) rather than the solution, so no page of the site carries a marker.
"""

import shutil
from pathlib import Path

import nbformat

from mlops_kit.authoring import markers
from mlops_kit.authoring.errors import Location
from mlops_kit.authoring.transforms import SOLUTION_ONLY_TAG

SOLUTIONS = "solutions/"


def solution_dropdown(answer: str, code: bool) -> nbformat.NotebookNode:
    """A markdown cell with the answer in a closed dropdown (sphinx-design, part of Jupyter Book 1)."""
    body = f"```python\n{answer.rstrip()}\n```" if code else answer.strip()
    return nbformat.v4.new_markdown_cell(f"````{{dropdown}} Solution\n:icon: light-bulb\n\n{body}\n````")


def lab_and_answer(cell: nbformat.NotebookNode, where: Location) -> tuple[str, str]:
    """The cell's source as the lab has it, and as the solution has it without markers."""
    if cell.cell_type == "code":
        source = markers.remove_hidden_code(cell.source, where)
        return markers.stub_solution_code(source, where), markers.unwrap_solution_code(source, where)
    if cell.cell_type == "markdown":
        return (markers.remove_markdown_solutions(cell.source, where),
                markers.unwrap_markdown_solutions(cell.source, where))
    return cell.source, cell.source


def exercises_with_folded_answers(notebook: nbformat.NotebookNode, docname: str) -> nbformat.NotebookNode:
    """Each exercise cell as the lab has it, followed by its answer in a dropdown; solution-only cells dropped."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        lab, answer = lab_and_answer(cell, Location(f"{docname}.ipynb", index))
        cell.source = lab
        cells.append(cell)
        if answer != lab:
            cells.append(solution_dropdown(answer, code=cell.cell_type == "code"))
    notebook.cells = cells
    return notebook


def fold_answers(app, docname: str, source: list[str]) -> None:
    """source-read: rewrite a solution notebook's text before myst-nb parses it."""
    if not docname.startswith(SOLUTIONS) or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    notebook = nbformat.reads(source[0], as_version=4)
    source[0] = nbformat.writes(exercises_with_folded_answers(notebook, docname))


def offer_the_lab_for_download(app, exception) -> None:
    """build-finished: the download button serves _sources/<page>.ipynb; make it the learner's lab."""
    if exception is not None or app.builder.format != "html":
        return
    root = Path(app.srcdir)
    for docname in app.env.found_docs:
        copied = Path(app.outdir, "_sources", f"{docname}.ipynb")
        if docname.startswith(SOLUTIONS) and copied.is_file():
            shutil.copyfile(root / "labs" / f"{docname.removeprefix(SOLUTIONS)}.ipynb", copied)


def setup(app):
    app.connect("source-read", fold_answers)
    app.connect("build-finished", offer_the_lab_for_download)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
