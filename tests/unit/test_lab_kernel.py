"""start_session's kernel preparation: a lab's project importable as CI imports it, edits reloaded."""

import logging
import subprocess
import sys
import textwrap
import warnings

from mlops_kit.lab_kernel import DEFINITION_LOGGERS, quiet_definition_building, use_lab_project


def write_package(folder, value):
    module = folder / "lab2-pipeline" / "pipelines" / "credit" / "pipeline.py"
    module.parent.mkdir(parents=True, exist_ok=True)
    for package in (module.parent, module.parent.parent):
        (package / "__init__.py").touch()
    module.write_text(f"VALUE = {value}\n")
    return module


def test_a_lab_without_a_project_folder_changes_nothing(tmp_path, monkeypatch):
    before = list(sys.path)
    assert use_lab_project("lab0", tmp_path) is None
    assert use_lab_project("lab2", tmp_path) is None  # no lab2-pipeline/ beside the notebook
    assert sys.path == before


def test_the_project_folder_goes_on_sys_path_once(tmp_path, monkeypatch):
    write_package(tmp_path, 1)
    monkeypatch.setattr(sys, "path", list(sys.path))
    project = use_lab_project("lab2", tmp_path)
    use_lab_project("lab2", tmp_path)
    assert project == (tmp_path / "lab2-pipeline").resolve()
    assert sys.path.count(str(project)) == 1


def test_an_edited_module_is_reloaded_in_the_next_cell(tmp_path):
    module = write_package(tmp_path, 1)
    script = textwrap.dedent(f"""
        import os, time
        from IPython.core.interactiveshell import InteractiveShell
        from mlops_kit.lab_kernel import use_lab_project
        shell = InteractiveShell.instance()
        os.chdir({str(tmp_path)!r})
        use_lab_project("lab2")
        shell.run_cell("import pipelines.credit.pipeline as pipeline", store_history=True)
        time.sleep(1.1)
        open({str(module)!r}, "w").write("VALUE = 2\\n")
        shell.run_cell("print('VALUE', pipeline.VALUE)", store_history=True)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "VALUE 2" in result.stdout, result.stdout + result.stderr


def test_a_module_that_does_not_import_yet_does_not_stop_the_session(tmp_path):
    module = write_package(tmp_path, 1)
    module.write_text("this is not python\n")
    script = textwrap.dedent(f"""
        import os
        from IPython.core.interactiveshell import InteractiveShell
        from mlops_kit.lab_kernel import use_lab_project
        InteractiveShell.instance()
        os.chdir({str(tmp_path)!r})
        print("project", use_lab_project("lab2") is not None)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "project True" in result.stdout, result.stdout + result.stderr


def test_definition_warnings_are_kept_out_of_the_output():
    quiet_definition_building()
    assert all(logging.getLogger(name).level == logging.ERROR for name in DEFINITION_LOGGERS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        quiet_definition_building()
        warnings.warn("Running within a PipelineSession, there will be no output", UserWarning)
    assert caught == []
