"""Set environment variables for a block and put them back afterwards.

Kernels that papermill starts inherit this process's environment, so the grader and the
workshop runner steer them by setting variables around the run; each run must leave the
environment as it found it, also when the notebook fails.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def environment_set(values: dict[str, str]) -> Iterator[None]:
    """Inside the block ``os.environ`` holds ``values``; afterwards each name is as before (or unset)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
