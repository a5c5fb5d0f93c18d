from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mlops_kit.workshop_run import chosen_notebooks, run_solution


def write_notebook(path, *sources):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_a_successful_run_refreshes_outputs_without_timing_metadata(tmp_path):
    notebook = write_notebook(tmp_path / "lab9-demo.ipynb", "print(6 * 7)",
                              "from IPython.display import display\nfrom ipywidgets import IntSlider\ndisplay(IntSlider())")
    run = run_solution(notebook, tmp_path / "failed", timeout=60)
    assert not run.error
    nb = nbformat.read(notebook, as_version=4)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata
    assert "papermill" not in nb.cells[0].metadata and "execution" not in nb.cells[0].metadata


def test_a_failing_run_keeps_the_solution_and_sets_the_executed_copy_aside(tmp_path):
    notebook = write_notebook(tmp_path / "lab9-demo.ipynb", "x = 1", "raise ValueError('broken on purpose')")
    before = notebook.read_bytes()
    run = run_solution(notebook, tmp_path / "failed", timeout=60)
    assert "ValueError" in run.error or "broken on purpose" in run.error
    assert not run.ok
    assert notebook.read_bytes() == before
    kept = nbformat.read(tmp_path / "failed" / "lab9-demo.ipynb", as_version=4)
    assert any("broken on purpose" in str(cell.get("outputs")) for cell in kept.cells)


def test_an_instructor_can_run_some_labs_only():
    notebooks = [Path("solutions/lab0-getting-started.ipynb"), Path("solutions/lab2-pipeline.ipynb")]
    assert chosen_notebooks(notebooks, None) == notebooks
    assert chosen_notebooks(notebooks, ["lab2"]) == notebooks[1:]
    with pytest.raises(SystemExit, match="No solution for lab9: choose among lab0, lab2"):
        chosen_notebooks(notebooks, ["lab9"])
