"""Every extension the kit adds to moto, installed in one place before the server starts.

Each module named in ``EXTENSION_MODULES`` has an ``install()`` that patches moto's own
classes in this process (see ../shared/reference/platform-notes.md, "Extending moto's
server"). ``install()`` must be idempotent: the test suite and the server may call
``install_all()`` more than once in one process.
"""

import importlib

EXTENSION_MODULES: list[str] = [
    "model_registry",
    "experiments",
    "lineage",
    "endpoints",
    "training",
    "processing",
    "model_monitor",
    "pipelines",
    "cloudwatch_alarms",
]

_installed = False


def install_all() -> None:
    """Install every extension once per process."""
    global _installed
    if _installed:
        return
    for name in EXTENSION_MODULES:
        importlib.import_module(f"{__name__}.{name}").install()
    _installed = True
