"""A local backend of its own for notebooks that a command or the tests execute.

Notebook kernels inherit the environment of the process that starts them, so pointing
`MLOPS_KIT_HOME` at a fresh folder and `MLOPS_KIT_PORT` at a free port makes the
kernel's `start_session()` start a fresh server there. Nothing is shared with the
learner's own server on the default port, nor between runs: each lab stands alone.
"""

import os
from contextlib import contextmanager
from pathlib import Path

from mlops_kit.local.server import detached as server
from mlops_kit.local.paths import HOME_ENV


@contextmanager
def own_local_backend(home: Path):
    """Inside the block, notebooks started from this process use a server kept in `home`; stopped after."""
    saved = {name: os.environ.get(name) for name in (HOME_ENV, server.PORT_ENV)}
    os.environ[HOME_ENV] = str(home)
    os.environ[server.PORT_ENV] = str(server.free_port())
    try:
        yield
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
