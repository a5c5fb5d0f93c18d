"""The local server a benchmark measures: a separate process, as a learner's notebook
talks to it, with a temporary kit home and a free port, stopped afterwards."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from mlops_kit.local.server import detached as server
from mlops_kit.local.environment import DEFAULT_REGION, local_environment
from mlops_kit.local.isolation import own_local_backend


@contextmanager
def fresh_local_server(region: str = DEFAULT_REGION):
    """Yield the URL of a fresh server, with this process's boto3 pointed at it."""
    with tempfile.TemporaryDirectory(prefix="mlops-kit-benchmark-") as home, own_local_backend(Path(home)):
        url = server.start().url
        os.environ.update(local_environment(url, region))
        yield url
