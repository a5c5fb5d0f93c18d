"""The `/opt/ml` path shim: which paths it maps, and a real script run through it."""

import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

from mlops_kit.local.jobs.container_paths import to_local


def test_only_paths_under_opt_ml_are_mapped():
    assert to_local("/opt/ml/processing/input/a.csv", "/jobs/j/opt/ml") == "/jobs/j/opt/ml/processing/input/a.csv"
    assert to_local("/opt/ml", "/r") == "/r"
    assert to_local(PurePosixPath("/opt/ml/x"), "/r") == "/r/x"
    assert to_local(b"/opt/ml/x", "/r") == b"/r/x"
    for untouched in ("/opt/mlflow/x", "relative/opt/ml", "/tmp/x", 3, None):
        assert to_local(untouched, "/r") == untouched


def test_a_script_reads_and_writes_container_paths_inside_the_root(tmp_path):
    root = tmp_path / "opt" / "ml"
    (root / "processing" / "input" / "code").mkdir(parents=True)
    (root / "processing" / "input" / "data.csv").write_text("a,b\n1,2\n")
    script = root / "processing" / "input" / "code" / "job.py"
    script.write_text(textwrap.dedent("""
        import glob, os, pathlib, sys
        import pandas as pd
        frame = pd.read_csv("/opt/ml/processing/input/data.csv")
        os.makedirs("/opt/ml/processing/out/deep", exist_ok=True)
        frame.to_csv("/opt/ml/processing/out/deep/copy.csv", index=False)
        pathlib.Path("/opt/ml/processing/out/note.txt").write_text(sys.argv[1])
        print(sys.argv[0], __file__, sorted(glob.glob("/opt/ml/processing/out/*")))
        raise SystemExit(open("/opt/ml/processing/out/note.txt").read() == "hello" and 7)
    """))
    finished = subprocess.run(
        [sys.executable, "-m", "mlops_kit.local.jobs.container_paths", str(root),
         "/opt/ml/processing/input/code/job.py", "hello"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 7, finished.stderr
    assert finished.stdout.split() == [
        "/opt/ml/processing/input/code/job.py", "/opt/ml/processing/input/code/job.py",
        "['/opt/ml/processing/out/deep',", "'/opt/ml/processing/out/note.txt']"]
    assert (root / "processing/out/deep/copy.csv").read_text() == "a,b\n1,2\n"
    assert not Path("/opt/ml/processing/out").exists()


def test_a_traceback_names_the_container_path(tmp_path):
    root = tmp_path / "ml"
    (root / "code").mkdir(parents=True)
    (root / "code" / "bad.py").write_text("x = 1\nraise KeyError('LIMIT_BAL')\n")
    finished = subprocess.run(
        [sys.executable, "-m", "mlops_kit.local.jobs.container_paths", str(root), "/opt/ml/code/bad.py"],
        capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert 'File "/opt/ml/code/bad.py", line 2, in <module>' in finished.stderr
    assert finished.stderr.rstrip().endswith("KeyError: 'LIMIT_BAL'")
