"""Every extension the kit adds to moto, installed in one place before the server starts.

Each module named in ``EXTENSION_MODULES`` has an ``install()`` that patches moto's own
classes in this process (see ../shared/reference/platform-notes.md, "Extending moto's
server"). ``install()`` must be idempotent: the test suite and the server may call
``install_all()`` more than once in one process.

Services added for lab 3 live in rooms of their own beside ``extensions/``
(``local/codebuild``, ``local/cloudformation``, ``local/codepipeline``): each room's
``patch.py`` has the same ``install()`` and lists the moto internals it relies on in its
own ``SEAMS``, which :func:`room_seams` gathers for the start-up check.
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

ROOMS: list[str] = [
    "mlops_kit.local.codebuild",
    "mlops_kit.local.cloudformation",
    "mlops_kit.local.codepipeline",
]

_installed = False


def room_seams() -> list[tuple]:
    """Every room's ``patch.SEAMS``, for ``seams.verify_seams``."""
    return [seam for room in ROOMS for seam in importlib.import_module(f"{room}.patch").SEAMS]


def install_all() -> None:
    """Install every extension once per process."""
    global _installed
    if _installed:
        return
    for name in EXTENSION_MODULES:
        importlib.import_module(f"{__name__}.{name}").install()
    for room in ROOMS:
        importlib.import_module(f"{room}.patch").install()
    _installed = True
