"""Markers on their own: solution stubs, hidden removal, markdown spans, and authoring errors that say where."""

import pytest

from mlops_kit.authoring.errors import AuthoringError, Location
from mlops_kit.authoring.markers import (
    find_code_blocks,
    remove_hidden_code,
    remove_markdown_solutions,
    stub_solution_code,
)

HERE = Location("solutions/lab0-getting-started.ipynb", 3)


def test_solution_block_becomes_stub_with_hint_from_begin_marker():
    source = (
        "x = 1\n"
        "### BEGIN SOLUTION: split with train_test_split, stratified on the label\n"
        "train, test = train_test_split(data, stratify=data['Label'])\n"
        "### END SOLUTION\n"
        "print(x)"
    )
    assert stub_solution_code(source, HERE) == (
        "x = 1\n"
        "# TODO: split with train_test_split, stratified on the label\n"
        'raise NotImplementedError("split with train_test_split, stratified on the label")\n'
        "print(x)"
    )


def test_solution_block_without_hint_gets_generic_hint():
    source = "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n"
    assert stub_solution_code(source, HERE) == (
        '# TODO: write your code here\nraise NotImplementedError("write your code here")\n'
    )


def test_empty_hint_after_colon_is_generic():
    assert "write your code here" in stub_solution_code("### BEGIN SOLUTION:   \nx\n### END SOLUTION", HERE)


def test_stub_keeps_the_marker_indentation_and_missing_final_newline():
    source = "def f():\n    ### BEGIN SOLUTION: return the answer\n    return 42\n    ### END SOLUTION"
    assert stub_solution_code(source, HERE) == (
        "def f():\n"
        "    # TODO: return the answer\n"
        '    raise NotImplementedError("return the answer")'
    )


def test_hint_with_quotes_and_backslashes_stays_valid_python():
    source = 'def f():\n    ### BEGIN SOLUTION: use df["Label"] \\ not "label"\n    pass\n    ### END SOLUTION\n'
    stub = stub_solution_code(source, HERE)
    namespace = {}
    exec(compile(stub, "<stub>", "exec"), namespace)
    with pytest.raises(NotImplementedError, match=r'use df\["Label"\] \\ not "label"'):
        namespace["f"]()


def test_several_blocks_and_crlf_line_endings():
    source = "a\r\n### BEGIN SOLUTION: one\r\nx\r\n### END SOLUTION\r\nb\r\n### BEGIN SOLUTION\r\ny\r\n### END SOLUTION\r\n"
    assert stub_solution_code(source, HERE) == (
        'a\r\n# TODO: one\r\nraise NotImplementedError("one")\r\nb\r\n'
        '# TODO: write your code here\r\nraise NotImplementedError("write your code here")\r\n'
    )


def test_hidden_block_is_removed_with_its_markers():
    source = "x = 1\n    ### BEGIN HIDDEN\nassert x == 1\n### END HIDDEN\ny = 2\n"
    assert remove_hidden_code(source, HERE) == "x = 1\ny = 2\n"


def test_hidden_block_at_the_end_leaves_no_dangling_newline():
    assert remove_hidden_code("x = 1\n### BEGIN HIDDEN\nsecret()\n### END HIDDEN", HERE) == "x = 1"


def test_stubbing_leaves_hidden_blocks_and_removing_hidden_leaves_solutions():
    source = "### BEGIN HIDDEN\nh\n### END HIDDEN\n### BEGIN SOLUTION\ns\n### END SOLUTION\n"
    assert "h\n" in stub_solution_code(source, HERE)
    assert remove_hidden_code(source, HERE) == "### BEGIN SOLUTION\ns\n### END SOLUTION\n"


def test_blocks_report_lines_kind_indent_and_hint():
    blocks = find_code_blocks("a\n  ### BEGIN SOLUTION: h\nb\n  ### END SOLUTION\n### BEGIN HIDDEN\n### END HIDDEN\n", HERE)
    assert [(b.kind, b.first_line, b.last_line, b.indent, b.hint) for b in blocks] == [
        ("SOLUTION", 2, 4, "  ", "h"),
        ("HIDDEN", 5, 6, "", "write your code here"),
    ]


def test_text_without_markers_is_unchanged():
    source = "# a comment about the hidden layer\nx = 1\n"
    assert stub_solution_code(source, HERE) == source
    assert remove_hidden_code(source, HERE) == source


@pytest.mark.parametrize(
    ("source", "line", "problem"),
    [
        ("x\n### BEGIN SOLUTION\ny\n", 2, "`### BEGIN SOLUTION` is never closed"),
        ("x\ny\n### END SOLUTION\n", 3, "`### END SOLUTION` has no `### BEGIN SOLUTION` above it"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n### END SOLUTION\n", 2, "blocks cannot nest"),
        ("### BEGIN SOLUTION\n### BEGIN HIDDEN\n### END HIDDEN\n### END SOLUTION\n", 2, "blocks cannot nest"),
        ("### BEGIN SOLUTION\nx\n### END HIDDEN\n", 3, "Use `### END SOLUTION`"),
        ("x\n### BEGIN SOLUTIONS\ny\n### END SOLUTION\n", 2, "looks like a marker but is not one"),
        ("## BEGIN SOLUTION\ny\n### END SOLUTION\n", 1, "looks like a marker but is not one"),
        ("### BEGIN HIDDEN TESTS\ny\n### END HIDDEN TESTS\n", 1, "looks like a marker but is not one"),
        ("### BEGIN HIDDEN: why\ny\n### END HIDDEN\n", 1, "only `### BEGIN SOLUTION` takes a hint"),
    ],
)
def test_bad_code_markers_name_notebook_cell_and_line(source, line, problem):
    with pytest.raises(AuthoringError) as raised:
        find_code_blocks(source, HERE)
    message = str(raised.value)
    assert message.startswith(f"solutions/lab0-getting-started.ipynb, cell index 3, line {line}: ")
    assert problem in message
    assert raised.value.line == line


def test_errors_in_python_files_name_file_and_line_only():
    with pytest.raises(AuthoringError, match=r"^solutions/lab2/pkg/train\.py, line 2: "):
        stub_solution_code("x\n### END SOLUTION\n", Location("solutions/lab2/pkg/train.py"))


def test_markdown_span_on_its_own_lines_is_removed_with_those_lines():
    text = "Question?\n\n<!-- BEGIN SOLUTION -->\nThe answer.\n<!-- END SOLUTION -->\n\nNext."
    assert remove_markdown_solutions(text, HERE) == "Question?\n\n\nNext."


def test_inline_markdown_span_is_cut_out_of_its_line():
    text = "Seed it <!--BEGIN SOLUTION-->(42)<!-- END SOLUTION --> always."
    assert remove_markdown_solutions(text, HERE) == "Seed it  always."


def test_markdown_span_at_the_end_leaves_no_dangling_newline():
    assert remove_markdown_solutions("Q\n<!-- BEGIN SOLUTION -->\nA\n<!-- END SOLUTION -->", HERE) == "Q"


def test_markdown_code_markers_are_not_markdown_markers():
    text = "Write your answer between `### BEGIN SOLUTION` lines."
    assert remove_markdown_solutions(text, HERE) == text


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a\n<!-- BEGIN SOLUTION -->\nb", 2, "is never closed"),
        ("a\nb <!-- END SOLUTION -->", 2, "has no `<!-- BEGIN SOLUTION -->` before it"),
        ("<!-- BEGIN SOLUTION -->\n<!-- BEGIN SOLUTION -->\n<!-- END SOLUTION -->", 2, "cannot nest"),
        ("a\n\n<!-- begin solution -->\nb\n<!-- END SOLUTION -->", 3, "looks like a marker but is not one"),
    ],
)
def test_bad_markdown_markers_name_notebook_cell_and_line(text, line, problem):
    with pytest.raises(AuthoringError) as raised:
        remove_markdown_solutions(text, HERE)
    assert str(raised.value).startswith(f"solutions/lab0-getting-started.ipynb, cell index 3, line {line}: ")
    assert problem in str(raised.value)
