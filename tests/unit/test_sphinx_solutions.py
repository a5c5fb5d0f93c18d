"""Solution pages of the book: each exercise as the lab has it, the answer folded after it."""

import nbformat

from mlops_kit.sphinx_solutions import exercises_with_folded_answers


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_an_exercise_cell_shows_the_stub_and_its_answer_follows_in_a_dropdown():
    exercise = nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION: add one\ny = x + 1\n### END SOLUTION\nprint(y)")
    exercise.outputs = [nbformat.v4.new_output("stream", text="2\n")]

    cells = exercises_with_folded_answers(notebook(exercise), "solutions/lab9").cells

    assert cells[0].source == 'x = 1\n# TODO: add one\nraise NotImplementedError("add one")\nprint(y)'
    assert cells[0].outputs[0].text == "2\n"  # what the learner should see
    assert cells[1].cell_type == "markdown"
    assert cells[1].source == "````{dropdown} Solution\n:icon: light-bulb\n\n```python\nx = 1\ny = x + 1\nprint(y)\n```\n````"


def test_hidden_code_and_solution_only_cells_never_reach_the_page():
    hidden = nbformat.v4.new_code_cell("### BEGIN HIDDEN\nassert secret\n### END HIDDEN\nshown()")
    note = nbformat.v4.new_markdown_cell("for instructors", metadata={"tags": ["solution-only"]})

    cells = exercises_with_folded_answers(notebook(hidden, note), "solutions/lab9").cells

    assert [cell.source for cell in cells] == ["shown()"]


def test_a_written_answer_in_markdown_is_folded_too():
    question = nbformat.v4.new_markdown_cell("Why?\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->\n")

    cells = exercises_with_folded_answers(notebook(question), "solutions/lab9").cells

    assert cells[0].source == "Why?\n"
    assert "Because." in cells[1].source and "SOLUTION -->" not in cells[1].source


def test_cells_without_exercises_are_left_as_they_are():
    plain = nbformat.v4.new_code_cell("print('hello')")

    assert exercises_with_folded_answers(notebook(plain), "solutions/lab9").cells == [plain]
