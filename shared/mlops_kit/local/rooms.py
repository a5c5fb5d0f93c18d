"""The rooms of the local backend, installed in one place before the server serves.

Each room is a package named for the SageMaker feature or AWS service it adds to moto.
Its ``patch.py`` lists the moto internals it relies on in ``SEAMS`` and patches moto's
own classes in ``install()`` through :func:`mlops_kit.local.seams.install_once`, so a
room is installed at most once per process (see docs/extending-moto.md).
"""

import importlib

from . import jobs, seams

ROOMS: list[str] = [
    "events",
    "registry",
    "experiments",
    "lineage",
    "endpoints",
    "training",
    "processing",
    "model_monitor",
    "pipelines",
    "cloudwatch",
    "codebuild",
    "cloudformation",
    "codepipeline",
]


def room_patches() -> list:
    """Every room's ``patch`` module, in install order."""
    return [importlib.import_module(f"{__package__}.{room}.patch") for room in ROOMS]


def all_seams() -> list[tuple]:
    """What the server, the job runtime and every room rely on in moto."""
    return seams.SEAMS + jobs.SEAMS + [seam for patch in room_patches() for seam in patch.SEAMS]


def install_all() -> None:
    """Check every seam at once (one message lists them all), then install every room.

    A second call changes nothing: each room installs once per process.
    """
    seams.verify_seams(all_seams())
    for patch in room_patches():
        patch.install()
