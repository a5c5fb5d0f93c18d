"""Every notebook the tests run (papermill, the grader, nbval on solutions/) talks to a
local server of its own, stopped at the end, so a test run never touches a learner's
server on the default port.

Set up in pytest_configure, not a fixture: nbval starts a notebook's kernel when it
collects the notebook, before any fixture runs.
"""

import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest

from mlops_kit.local.isolation import own_local_backend

_backend = ExitStack()
WHOLE_LAB_TESTS = "tests/notebooks/test_labs_grade.py"


def pytest_configure(config):
    home = Path(_backend.enter_context(tempfile.TemporaryDirectory(prefix="mlops-kit-tests-")))
    _backend.enter_context(own_local_backend(home))


def pytest_unconfigure(config):
    _backend.close()


def pytest_collection_modifyitems(config, items):
    """Spread the work over the two workers (./workshop test uses --dist loadgroup): each file
    stays on one worker (nbval runs a notebook's cells in order in one kernel), except the
    per-lab grading tests, which each run a whole lab and may go to either worker."""
    for item in items:
        path = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(item.nodeid if path == WHOLE_LAB_TESTS else path))
