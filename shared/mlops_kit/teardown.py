"""Deleting what the workshop made, in dependency order, and proving nothing is left.

``teardown_finder`` finds it (by the workshop's tags), ``teardown_deletions`` deletes each
resource and waits for it; then the finder looks again and the report says what is left.
The same code runs on both backends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tqdm.auto import tqdm

from mlops_kit.teardown_deletions import STOPPED_KINDS, delete
from mlops_kit.teardown_finder import Finder, Resource

PROGRESS_BAR_FROM = 6


@dataclass
class TeardownReport:
    deleted: list[Resource]
    left: list[tuple[Resource, str]]  # what is still there, and why

    def summary(self) -> str:
        """E.g. "Deleted 3: 1 model, 1 pipeline, 1 s3-prefix. 0 left." (kinds in deletion order), after
        "Stopped 1: 1 codebuild-run. " when runs were stopped."""
        stopped = [resource for resource in self.deleted if resource.kind in STOPPED_KINDS]
        deleted = [resource for resource in self.deleted if resource.kind not in STOPPED_KINDS]
        deleted = (_counted("Stopped", stopped) + " " if stopped else "") + _counted("Deleted", deleted)
        if not self.left:
            return f"{deleted} 0 left."
        reasons = "; ".join(f"{r.kind} {r.name}: {why}" for r, why in self.left)
        return f"{deleted} {len(self.left)} left: {reasons}"


def _counted(verb: str, resources: list[Resource]) -> str:
    kinds = ", ".join(f"{count} {kind}" for kind, count in Counter(r.kind for r in resources).items())
    return f"{verb} {len(resources)}" + (f": {kinds}." if kinds else ".")


def teardown(session, lab: str | None = None, dry_run: bool = False, wait_seconds: float = 600,
             echo: Callable[[str], None] = print, verbose: bool = False) -> TeardownReport:
    """Delete the workshop's resources of this learner (of ``lab`` only, when given), then look again.

    Prints one summary line (``verbose``: also a line per deletion, as the command does)."""
    finder = Finder(session, lab)
    found = finder.find()
    if dry_run:
        for resource in found:
            echo(f"would {'stop' if resource.kind in STOPPED_KINDS else 'delete'} {resource.kind} {resource.name}")
        echo(f"{len(found)} to delete (dry run: nothing deleted).")
        return TeardownReport([], [(resource, "dry run") for resource in found])
    deleted = []
    bar = tqdm(found, desc="teardown", unit="resource", disable=len(found) < PROGRESS_BAR_FROM)
    for resource in bar:
        if delete(session, resource, wait_seconds):
            deleted.append(resource)
            if verbose:
                echo(f"{'stopped' if resource.kind in STOPPED_KINDS else 'deleted'} {resource.kind} {resource.name}")
    left = [(resource, "still there after its deletion (see the service's console)") for resource in finder.find()]
    report = TeardownReport(deleted, left)
    echo(report.summary())
    return report
