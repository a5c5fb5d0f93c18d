"""generate_labs and find_stale_labs on real files: golden output, stability, check mode, support folders.

Goldens: see tests/fixtures/authoring/README.md (MLOPS_KIT_UPDATE_GOLDENS=1 rewrites them).
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mlops_kit.authoring import AuthoringError, find_stale_labs, generate_labs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "authoring"
GOLDEN_LABS = FIXTURES / "expected" / "labs"
UPDATE_GOLDENS = os.environ.get("MLOPS_KIT_UPDATE_GOLDENS") == "1"


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository copy of the fixture solutions, with the current directory at its root."""
    shutil.copytree(FIXTURES / "solutions", tmp_path / "solutions")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fixture_solution_generates_the_golden_lab(repo):
    generate_labs(repo / "solutions", repo / "labs")
    if UPDATE_GOLDENS:
        shutil.rmtree(GOLDEN_LABS, ignore_errors=True)
        shutil.copytree(repo / "labs", GOLDEN_LABS)
        pytest.fail(f"goldens rewritten in {GOLDEN_LABS}; review `git diff`, then rerun without MLOPS_KIT_UPDATE_GOLDENS")
    actual, expected = tree(repo / "labs"), tree(GOLDEN_LABS)
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name].decode() == expected[name].decode(), f"{name} differs from its golden"


def test_generated_lab_is_a_valid_notebook_without_any_solution(repo):
    generate_labs(repo / "solutions", repo / "labs")
    text = (repo / "labs" / "lab9-fixture.ipynb").read_text(encoding="utf-8")
    lab = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    nbformat.validate(lab)
    assert text.endswith("}\n")
    assert lab.metadata["workshop"] == {"lab": "lab9", "kind": "lab", "title": "A fixture lab"}
    assert "papermill" not in lab.metadata
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN", "stratify=", "roc_auc_score", "imbalanced", "42", "instructor"):
        assert marker not in text, marker
    code = [cell for cell in lab.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_cell_ids_are_kept_from_the_solution(repo):
    generate_labs(repo / "solutions", repo / "labs")
    lab = nbformat.read(repo / "labs" / "lab9-fixture.ipynb", as_version=4)
    assert [cell.id for cell in lab.cells] == ["m0", "c1", "c3", "c4", "c7"]


def test_generation_never_changes_the_solutions(repo):
    before = tree(repo / "solutions")
    generate_labs(repo / "solutions", repo / "labs")
    assert tree(repo / "solutions") == before


def test_regenerating_is_idempotent_and_byte_identical(repo):
    written = generate_labs(repo / "solutions", repo / "labs")
    assert written == sorted(
        repo / "labs" / name
        for name in ("lab9-fixture.ipynb", "lab9-fixture/credit_model/__init__.py",
                     "lab9-fixture/credit_model/features.py", "lab9-fixture/thresholds.json")
    )
    first = tree(repo / "labs")
    mtimes = {path: path.stat().st_mtime_ns for path in written}
    assert generate_labs(repo / "solutions", repo / "labs") == []
    assert tree(repo / "labs") == first
    assert {path: path.stat().st_mtime_ns for path in written} == mtimes
    assert find_stale_labs(repo / "solutions", repo / "labs") == []


def test_output_is_the_same_in_another_process_with_another_hash_seed(repo):
    generate_labs(repo / "solutions", repo / "labs")
    script = "import sys; from pathlib import Path; from mlops_kit.authoring import generate_labs; generate_labs(Path(sys.argv[1]), Path(sys.argv[2]))"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", script, "solutions", "other-labs"], check=True, env=env, cwd=repo)
    assert tree(repo / "other-labs") == tree(repo / "labs")


def test_cells_without_ids_get_stable_ids(tmp_path):
    notebook = json.loads(nbformat.writes(new_notebook(cells=[new_code_cell("x"), new_code_cell("y")])))
    for cell in notebook["cells"]:
        del cell["id"]
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "lab1.ipynb").write_text(json.dumps(notebook))
    generate_labs(tmp_path / "solutions", tmp_path / "labs")
    first = (tmp_path / "labs" / "lab1.ipynb").read_bytes()
    shutil.rmtree(tmp_path / "labs")
    generate_labs(tmp_path / "solutions", tmp_path / "labs")
    assert (tmp_path / "labs" / "lab1.ipynb").read_bytes() == first
    assert [cell["id"] for cell in json.loads(first)["cells"]] == ["cell-0", "cell-1"]


def test_support_python_is_stubbed_and_other_files_copied_verbatim(repo, monkeypatch):
    junk = repo / "solutions" / "lab9-fixture" / "credit_model" / "__pycache__"
    junk.mkdir()
    (junk / "features.cpython-311.pyc").write_bytes(b"compiled solution")
    generate_labs(repo / "solutions", repo / "labs")
    support = repo / "labs" / "lab9-fixture"
    assert (support / "thresholds.json").read_bytes() == (repo / "solutions" / "lab9-fixture" / "thresholds.json").read_bytes()
    assert not (support / "credit_model" / "__pycache__").exists()
    features = (support / "credit_model" / "features.py").read_text()
    assert '    # TODO: divide BILL_AMT1 by LIMIT_BAL into a new column "UTIL1"\n' in features
    assert "_reference_utilisation" not in features and 'frame["UTIL1"] =' not in features

    monkeypatch.syspath_prepend(str(support))
    credit_model = importlib.import_module("credit_model")
    try:
        with pytest.raises(NotImplementedError, match="UTIL1"):
            credit_model.add_utilisation(None)
    finally:
        for name in [name for name in sys.modules if name.startswith("credit_model")]:
            del sys.modules[name]


def test_check_reports_stale_missing_and_orphaned_labs(repo):
    generate_labs(repo / "solutions", repo / "labs")
    (repo / "labs" / "lab9-fixture.ipynb").write_text("{}")
    (repo / "labs" / "lab9-fixture" / "thresholds.json").unlink()
    (repo / "labs" / "lab3-retired.ipynb").write_text("{}")
    (repo / "labs" / "lab9-fixture" / "old.py").write_text("")
    assert find_stale_labs(repo / "solutions", repo / "labs") == [
        "labs/lab9-fixture/thresholds.json is missing; it is generated from solutions/lab9-fixture/thresholds.json"
        " — run `./workshop generate-labs`",
        "labs/lab9-fixture.ipynb is out of date with solutions/lab9-fixture.ipynb — run `./workshop generate-labs`",
        "labs/lab3-retired.ipynb is orphaned: solutions/lab3-retired.ipynb does not exist"
        " — run `./workshop generate-labs` to remove it",
        "labs/lab9-fixture/old.py is orphaned: solutions/lab9-fixture/old.py does not exist"
        " — run `./workshop generate-labs` to remove it",
    ]


def test_check_sees_an_edited_solution(repo):
    generate_labs(repo / "solutions", repo / "labs")
    features = repo / "solutions" / "lab9-fixture" / "credit_model" / "features.py"
    features.write_text(features.read_text().replace("per month", "for September"))
    assert find_stale_labs(repo / "solutions", repo / "labs") == [
        "labs/lab9-fixture/credit_model/features.py is out of date with "
        "solutions/lab9-fixture/credit_model/features.py — run `./workshop generate-labs`"
    ]


def test_check_with_no_labs_folder_lists_every_lab_as_missing(repo):
    reasons = find_stale_labs(repo / "solutions", repo / "labs")
    assert len(reasons) == 4 and all(" is missing; " in reason for reason in reasons)


def test_junk_left_in_labs_by_running_them_is_neither_stale_nor_removed(repo):
    generate_labs(repo / "solutions", repo / "labs")
    cache = repo / "labs" / "lab9-fixture" / "credit_model" / "__pycache__"
    cache.mkdir()
    (cache / "features.cpython-311.pyc").write_bytes(b"x")
    (repo / "labs" / ".ipynb_checkpoints").mkdir()
    (repo / "labs" / ".ipynb_checkpoints" / "lab9-fixture-checkpoint.ipynb").write_text("{}")
    assert find_stale_labs(repo / "solutions", repo / "labs") == []
    generate_labs(repo / "solutions", repo / "labs")
    assert (cache / "features.cpython-311.pyc").exists()


def test_generation_replaces_stale_labs_and_removes_orphans(repo):
    generate_labs(repo / "solutions", repo / "labs")
    golden = tree(repo / "labs")
    (repo / "labs" / "lab9-fixture.ipynb").write_text("hand edit")
    retired = repo / "labs" / "lab3-retired"
    (retired / "pkg").mkdir(parents=True)
    (retired / "pkg" / "model.py").write_text("")
    (retired / "pkg" / "__pycache__").mkdir()
    (retired / "pkg" / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"x")
    (repo / "labs" / "lab3-retired.ipynb").write_text("{}")
    assert generate_labs(repo / "solutions", repo / "labs") == [repo / "labs" / "lab9-fixture.ipynb"]
    assert tree(repo / "labs") == golden
    assert not retired.exists()


def test_a_removed_solution_removes_its_lab(repo):
    generate_labs(repo / "solutions", repo / "labs")
    (repo / "solutions" / "lab9-fixture.ipynb").unlink()
    shutil.rmtree(repo / "solutions" / "lab9-fixture")
    assert len(find_stale_labs(repo / "solutions", repo / "labs")) == 4
    generate_labs(repo / "solutions", repo / "labs")
    assert tree(repo / "labs") == {}


def test_authoring_error_names_notebook_cell_and_line_and_writes_nothing(repo):
    generate_labs(repo / "solutions", repo / "labs")
    before = tree(repo / "labs")
    path = repo / "solutions" / "lab9-fixture.ipynb"
    solution = nbformat.read(path, as_version=4)
    solution.cells[3].source = solution.cells[3].source.replace("### END SOLUTION\n", "")
    nbformat.write(solution, path)
    with pytest.raises(AuthoringError) as raised:
        generate_labs(repo / "solutions", repo / "labs")
    assert str(raised.value).startswith(
        "solutions/lab9-fixture.ipynb, cell index 3, line 4: `### BEGIN SOLUTION` is never closed."
    )
    assert tree(repo / "labs") == before


def test_authoring_error_in_a_support_file_names_file_and_line(repo):
    features = repo / "solutions" / "lab9-fixture" / "credit_model" / "features.py"
    features.write_text(features.read_text().replace("### END HIDDEN", "### END SOLUTION"))
    with pytest.raises(AuthoringError, match=r"^solutions/lab9-fixture/credit_model/features\.py, line 18: .*Use `### END HIDDEN`"):
        generate_labs(repo / "solutions", repo / "labs")


def test_a_corrupted_solution_notebook_is_named_with_its_line(repo):
    (repo / "solutions" / "lab8-broken.ipynb").write_text('{\n "cells": [\n')
    with pytest.raises(AuthoringError, match=r"^solutions/lab8-broken\.ipynb, line 3: is not valid notebook JSON"):
        generate_labs(repo / "solutions", repo / "labs")


def test_a_notebook_that_is_not_nbformat_4_is_refused(repo):
    (repo / "solutions" / "lab8-old.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}))
    with pytest.raises(AuthoringError, match=r"^solutions/lab8-old\.ipynb: is nbformat 3"):
        generate_labs(repo / "solutions", repo / "labs")


def test_a_support_folder_without_its_notebook_is_an_error(repo):
    (repo / "solutions" / "lab1-typo" / "pkg").mkdir(parents=True)
    with pytest.raises(AuthoringError, match=r"^solutions/lab1-typo: has no notebook lab1-typo\.ipynb beside it"):
        generate_labs(repo / "solutions", repo / "labs")


def test_folders_a_lab_run_writes_are_not_support_folders(repo):
    (repo / "solutions" / "data").mkdir()
    (repo / "solutions" / "data" / "credit.csv").write_text("Label\n0\n")
    generate_labs(repo / "solutions", repo / "labs")
    assert not (repo / "labs" / "data").exists()
    assert find_stale_labs(repo / "solutions", repo / "labs") == []


def test_a_notebook_inside_a_support_folder_is_transformed_not_copied(repo):
    extra = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION: tune it\nbest = 3\n### END SOLUTION", execution_count=2)])
    nbformat.write(extra, repo / "solutions" / "lab9-fixture" / "extra.ipynb")
    generate_labs(repo / "solutions", repo / "labs")
    lab = nbformat.read(repo / "labs" / "lab9-fixture" / "extra.ipynb", as_version=4)
    assert lab.cells[0].source == '# TODO: tune it\nraise NotImplementedError("tune it")'
    assert lab.cells[0].execution_count is None and lab.metadata["workshop"]["kind"] == "lab"


def test_support_yaml_solution_becomes_a_todo_comment_and_stays_valid_yaml(tmp_path):
    import yaml

    support = tmp_path / "solutions" / "lab9"
    support.mkdir(parents=True)
    (tmp_path / "solutions" / "lab9.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {"workshop": {"lab": "lab9"}}, "nbformat": 4, "nbformat_minor": 5}))
    (support / "buildspec.yml").write_text(
        "phases:\n  build:\n    commands:\n      - echo start\n"
        "      ### BEGIN SOLUTION: run the credit pipeline\n      - run-pipeline --module-name pipelines.credit.pipeline\n"
        "      ### END SOLUTION\n")
    generate_labs(tmp_path / "solutions", tmp_path / "labs")
    lab_text = (tmp_path / "labs" / "lab9" / "buildspec.yml").read_text()
    assert "      # TODO: run the credit pipeline\n" in lab_text
    assert "pipelines.credit" not in lab_text and "SOLUTION" not in lab_text
    assert yaml.safe_load(lab_text) == {"phases": {"build": {"commands": ["echo start"]}}}
