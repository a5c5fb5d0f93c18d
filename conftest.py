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


# ---- every solution's resources carry the workshop's tags, and its teardown leaves none ----
# Checked inside the nbval run of solutions/ (no second run of each lab): the resources on
# the server before a notebook's first cell are set aside; after each cell the resources
# made since are recorded (a lab deletes some itself before its teardown). Just before the
# cell "teardown-labN" every one of them must have carried the tags, and just after it none
# may be left, nor any object under the lab's S3 prefixes.

_before_notebook: dict[str, set[str]] = {}
_made: dict[str, dict[str, dict[str, str]]] = {}


def _teardown_lab(item) -> str | None:
    cell_id = getattr(getattr(item, "cell", None), "id", None) or ""
    return cell_id.removeprefix("teardown-") if cell_id.startswith("teardown-") else None


def pytest_runtest_setup(item):
    if not hasattr(item, "cell"):
        return
    import tag_audit

    notebook = str(item.path)
    if notebook not in _before_notebook:
        _before_notebook[notebook], _made[notebook] = set(tag_audit.resources()), {}
    lab = _teardown_lab(item)
    if lab:
        made = _made[notebook]
        assert made, f"{lab}'s solution made no resource before its teardown: the audit found nothing to check"
        untagged = tag_audit.untagged(made, lab)
        assert not untagged, f"{lab} made resources without the workshop's tags: {untagged}"


def pytest_runtest_teardown(item, nextitem):
    if not hasattr(item, "cell"):
        return
    import tag_audit

    notebook, now = str(item.path), tag_audit.resources()
    notebook_lab = getattr(item.parent, "nb", {}).get("metadata", {}).get("workshop", {}).get("lab")
    made = _made[notebook]  # set by pytest_runtest_setup, which runs first
    for arn, tags in now.items():
        if arn not in _before_notebook[notebook] and not tag_audit.another_labs(tags, notebook_lab):
            made.setdefault(arn, tags)
    lab = _teardown_lab(item)
    if lab:
        from mlops_kit.teardown_finder import LAB_PREFIXES

        left = sorted(set(made) & set(now))
        assert not left, f"{lab}'s teardown left {left}"
        objects = [key for prefix in LAB_PREFIXES[lab] for key in tag_audit.objects_under(prefix)]
        assert not objects, f"{lab}'s teardown left {len(objects)} objects, e.g. {objects[:3]}"

