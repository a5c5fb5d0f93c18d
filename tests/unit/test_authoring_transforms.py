"""Each lab transform on small cells, then the declared pipeline as a whole (order included)."""

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from mlops_kit.authoring import transforms
from mlops_kit.authoring.errors import AuthoringError, Location
from mlops_kit.authoring.render import to_lab_notebook

HERE = Location("solutions/lab0-getting-started.ipynb", 2)


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def test_solution_only_cells_are_dropped_whatever_their_type():
    for cell in (new_code_cell("x"), new_markdown_cell("note"), new_raw_cell("raw")):
        assert transforms.drop_solution_only_cells(tagged(cell, "solution-only"), HERE) is None
    kept = tagged(new_code_cell("x"), "parameters")
    assert transforms.drop_solution_only_cells(kept, HERE) is kept


def test_papermill_injected_parameters_cell_is_dropped():
    assert transforms.drop_injected_parameters(tagged(new_code_cell("backend = 'aws'"), "injected-parameters"), HERE) is None
    assert transforms.drop_injected_parameters(tagged(new_code_cell("backend = 'local'"), "parameters"), HERE) is not None


def test_hidden_code_is_removed_from_code_cells_only():
    code = transforms.remove_hidden_code(new_code_cell("a\n### BEGIN HIDDEN\nb\n### END HIDDEN\nc"), HERE)
    assert code.source == "a\nc"
    text = "### BEGIN HIDDEN\nshown as text\n### END HIDDEN"
    assert transforms.remove_hidden_code(new_markdown_cell(text), HERE).source == text


def test_solution_code_is_stubbed_in_code_cells_only():
    code = transforms.stub_solution_code(new_code_cell("### BEGIN SOLUTION: fit it\nmodel.fit(x)\n### END SOLUTION"), HERE)
    assert code.source == '# TODO: fit it\nraise NotImplementedError("fit it")'
    raw = new_raw_cell("### BEGIN SOLUTION\nx\n### END SOLUTION")
    assert transforms.stub_solution_code(raw, HERE).source == raw.source


def test_markdown_solutions_are_removed_from_markdown_cells_only():
    markdown = transforms.remove_markdown_solutions(new_markdown_cell("Q <!-- BEGIN SOLUTION -->A<!-- END SOLUTION -->"), HERE)
    assert markdown.source == "Q "
    code = new_code_cell("html = '<!-- BEGIN SOLUTION -->'")
    assert transforms.remove_markdown_solutions(code, HERE).source == code.source


def test_outputs_and_execution_counts_are_cleared():
    cell = new_code_cell("print(1)", execution_count=7, outputs=[new_output("stream", name="stdout", text="1\n")])
    cleared = transforms.clear_outputs(cell, HERE)
    assert cleared.outputs == [] and cleared.execution_count is None


def test_run_metadata_is_dropped_and_authored_metadata_kept():
    cell = new_code_cell("x")
    cell.metadata.update(
        {"tags": ["check"], "execution": {"iopub.status.idle": "t"}, "papermill": {"duration": 1}, "ExecuteTime": {}}
    )
    assert transforms.drop_cell_run_metadata(cell, HERE).metadata == {"tags": ["check"]}


def test_notebook_is_marked_as_lab_keeping_workshop_metadata():
    notebook = new_notebook(metadata={"workshop": {"lab": "lab0", "kind": "solution", "minutes": 30}})
    lab = transforms.mark_as_lab(notebook, Location("solutions/lab0.ipynb"))
    assert lab.metadata["workshop"] == {"lab": "lab0", "kind": "lab", "minutes": 30}


def test_notebook_without_workshop_metadata_still_says_lab():
    assert transforms.mark_as_lab(new_notebook(), Location("s.ipynb")).metadata["workshop"] == {"kind": "lab"}


def test_a_generated_lab_placed_in_solutions_is_refused():
    notebook = new_notebook(metadata={"workshop": {"lab": "lab0", "kind": "lab"}})
    with pytest.raises(AuthoringError, match=r'^solutions/lab0\.ipynb: .*workshop\.kind is "lab"'):
        transforms.mark_as_lab(notebook, Location("solutions/lab0.ipynb"))


def test_papermill_notebook_metadata_is_dropped():
    notebook = new_notebook(metadata={"papermill": {"parameters": {}}, "workshop": {"lab": "lab0"}})
    assert transforms.drop_notebook_run_metadata(notebook, HERE).metadata == {"workshop": {"lab": "lab0"}}


def test_pipeline_drops_cells_before_reading_their_markers():
    """A solution-only cell may hold unbalanced markers (say, an example of a mistake)."""
    solution = new_notebook(cells=[tagged(new_code_cell("### BEGIN SOLUTION\nunfinished"), "solution-only"), new_code_cell("x")])
    lab = to_lab_notebook(solution, "solutions/lab0.ipynb")
    assert [cell.source for cell in lab.cells] == ["x"]


def test_pipeline_reports_original_line_numbers_after_hidden_blocks():
    source = "### BEGIN HIDDEN\nh\n### END HIDDEN\n### BEGIN SOLUTION\ns\n"
    solution = new_notebook(cells=[new_markdown_cell("intro"), new_code_cell(source)])
    with pytest.raises(AuthoringError, match=r"^solutions/lab0\.ipynb, cell index 1, line 4: "):
        to_lab_notebook(solution, "solutions/lab0.ipynb")


def test_pipeline_leaves_the_solution_untouched():
    solution = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx\n### END SOLUTION", execution_count=1)])
    before = solution.cells[0].source
    to_lab_notebook(solution, "solutions/lab0.ipynb")
    assert solution.cells[0].source == before and solution.cells[0].execution_count == 1

