"""A processing job's container command and the summary of a failed script."""

import pytest

from mlops_kit.local.processing.script_process import ScriptResult, parse_command


@pytest.mark.parametrize("entrypoint, arguments, script, rest", [
    (["python3", "/opt/ml/processing/input/code/p.py"], ["--ratio", "0.2"], "/opt/ml/processing/input/code/p.py",
     ["--ratio", "0.2"]),
    (["python3", "-u", "/opt/ml/code/p.py"], None, "/opt/ml/code/p.py", []),
    (["/usr/bin/python3.10"], ["/opt/ml/code/p.py", "x"], "/opt/ml/code/p.py", ["x"]),
    (["python"], ["/opt/ml/code/p.py"], "/opt/ml/code/p.py", []),
])
def test_python_commands(entrypoint, arguments, script, rest):
    command = parse_command(entrypoint, arguments)
    assert (command.script, command.arguments) == (script, rest)


@pytest.mark.parametrize("entrypoint", [None, [], ["bash", "-c", "ls"], ["python3"], ["python3", "-m", "pkg"]])
def test_other_commands_say_what_to_write(entrypoint):
    with pytest.raises(ValueError, match=r"python3|code="):
        parse_command(entrypoint, None)


TRACEBACK = """\
columns ['ID', 'LIMIT_BAL']
Traceback (most recent call last):
  File "/work/venv/lib/pandas/core/indexes/base.py", line 3805, in get_loc
    return self._engine.get_loc(casted_key)
KeyError: 'LIMIT_BAL'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/work/main/shared/mlops_kit/local/jobs/container_paths.py", line 99, in run_script
    exec(code, main.__dict__)
  File "/opt/ml/processing/input/code/preprocess.py", line 6, in <module>
    print(frame["LIMIT_BAL"].mean())
          ~~~~~^^^^^^^^^^^^^
  File "/work/venv/lib/pandas/core/frame.py", line 4102, in __getitem__
    indexer = self.columns.get_loc(key)
              ^^^^^^^^^^^^^^^^^^^^^^^^^
KeyError: 'LIMIT_BAL'"""


def test_summary_is_the_learners_line_and_the_exception():
    summary = ScriptResult(exit_code=1, tail=TRACEBACK.splitlines()).error_summary()
    assert summary.splitlines() == [
        '  File "/opt/ml/processing/input/code/preprocess.py", line 6, in <module>',
        '    print(frame["LIMIT_BAL"].mean())',
        "KeyError: 'LIMIT_BAL'",
    ]


def test_summary_without_traceback_is_the_last_output():
    tail = [f"line {n}" for n in range(10)]
    assert ScriptResult(exit_code=2, tail=tail).error_summary() == "\n".join(tail[-5:])
