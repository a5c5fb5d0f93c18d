"""A local backend of its own for notebooks that a command or the tests execute.

Notebook kernels inherit the environment of the process that starts them, so pointing
`MLOPS_KIT_HOME` at a fresh folder and `MLOPS_KIT_PORT` at a free port makes the
kernel's `start_session()` start a fresh server there. Nothing is shared with the
learner's own server on the default port, nor between runs: each lab stands alone.
"""

from contextlib import contextmanager
from pathlib import Path

from mlops_kit.environment_variables import environment_set
from mlops_kit.local.paths import HOME_ENV
from mlops_kit.local.server import detached as server


@contextmanager
def own_local_backend(home: Path):
    """Inside the block, notebooks started from this process use a server kept in `home`; stopped after."""
    with environment_set({HOME_ENV: str(home), server.PORT_ENV: str(server.free_port())}):
        try:
            yield
        finally:
            server.stop()
