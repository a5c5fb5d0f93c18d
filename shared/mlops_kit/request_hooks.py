"""The workshop's tags and cost guard on every boto3 session of the kernel.

A lab's requests do not all go through the session ``start_session`` returns: lab 2's
``get_pipeline`` (the template's signature) builds its own ``PipelineSession``, and the
SageMaker SDK makes clients of its own. So the hooks go on boto3's default session and
on every botocore session created after ``start_session`` (``botocore.session.get_session``,
which every ``boto3.Session()`` calls), and they read the lab's settings from here, so a
second ``start_session`` (another lab) changes them everywhere at once.
"""

import botocore.session

from mlops_kit.cost_guard import guard_requests
from mlops_kit.workshop_tags import tag_requests

_settings: dict = {"tags": None, "guard": None}
_original_get_session = botocore.session.get_session


def activate(boto_session, tags: dict[str, str], lab: str | None, cost_guard: bool) -> None:
    """Tag with ``tags`` and guard for ``lab`` from now on, in every session of this process."""
    _settings.update(tags=tag_requests(tags), guard=guard_requests(lab) if cost_guard else None)
    _register(boto_session._session)
    botocore.session.get_session = _get_session_with_hooks


def deactivate() -> None:
    """Back to plain botocore (the tests' clean-up; a kernel keeps the hooks)."""
    _settings.update(tags=None, guard=None)
    botocore.session.get_session = _original_get_session


def _get_session_with_hooks(env_vars=None):
    session = _original_get_session(env_vars)
    _register(session)
    return session


def _register(session) -> None:
    session.register("before-parameter-build", _tag, unique_id="mlops-kit-tags")
    session.register("before-parameter-build.sagemaker", _guard, unique_id="mlops-kit-cost-guard")


def _tag(params, model, **kwargs):
    if _settings["tags"]:
        _settings["tags"](params=params, model=model, **kwargs)


def _guard(params, model, **kwargs):
    if _settings["guard"]:
        _settings["guard"](params=params, model=model, **kwargs)
