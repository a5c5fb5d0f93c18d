"""Every notebook the tests run (papermill, the grader, nbval on solutions/) talks to a
local server of its own, stopped at the end, so a test run never touches a learner's
server on the default port.

Set up in pytest_configure, not a fixture: nbval starts a notebook's kernel when it
collects the notebook, before any fixture runs.
"""

import tempfile
from contextlib import ExitStack
from pathlib import Path

from mlops_kit.local.isolation import own_local_backend

_backend = ExitStack()


def pytest_configure(config):
    home = Path(_backend.enter_context(tempfile.TemporaryDirectory(prefix="mlops-kit-tests-")))
    _backend.enter_context(own_local_backend(home))


def pytest_unconfigure(config):
    _backend.close()
