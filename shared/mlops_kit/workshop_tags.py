"""The workshop's tags on everything a lab creates, on both backends, with no wrapper in learner code.

``start_session`` puts :func:`tag_requests` on every boto3 session of the kernel
(``request_hooks``), so the SageMaker SDK's clients and the learner's own alike: each
Create request whose API takes ``Tags`` gets the workshop's tags added (the learner's own
tags are kept).
The teardown finds what the kit made by these tags.

- ``mlops-kit:workshop`` = ``sagemaker-mlops``: made by this workshop;
- ``mlops-kit:lab`` = ``lab2``: the lab whose session made it;
- ``mlops-kit:session`` = the learner's id, made once and kept in the kit's home, so that
  two learners sharing an account never delete each other's resources.
"""

import secrets
import string

from mlops_kit.local.paths import home_dir, write_atomically

WORKSHOP_TAG, LAB_TAG, SESSION_TAG = "mlops-kit:workshop", "mlops-kit:lab", "mlops-kit:session"
WORKSHOP = "sagemaker-mlops"
LEARNER_ID_FILE = "learner-id"
# Operations that create a resource and take Tags without being named Create*.
TAGGED_PUTS = {"PutRule", "PutMetricAlarm"}


def learner_id() -> str:
    """This learner's id (``l-`` and 10 letters or digits), created on first use in the kit's home."""
    path = home_dir() / LEARNER_ID_FILE
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    alphabet = string.ascii_lowercase + string.digits
    value = "l-" + "".join(secrets.choice(alphabet) for _ in range(10))
    write_atomically(path, value + "\n")
    return value


def workshop_tags(lab: str | None) -> dict[str, str]:
    tags = {WORKSHOP_TAG: WORKSHOP, SESSION_TAG: learner_id()}
    if lab:
        tags[LAB_TAG] = lab
    return tags


def tag_requests(tags: dict[str, str]):
    """botocore handler: add ``tags`` to a Create request's tags in the shape its API wants."""

    def add_tags(params, model, **_):
        if not (model.name.startswith("Create") or model.name in TAGGED_PUTS):
            return
        members = model.input_shape.members if model.input_shape else {}
        name = next((member for member in ("Tags", "tags") if member in members), None)  # CodeBuild: "tags"
        if name is None or _tags_inherited(model.name, params):
            return
        params[name] = merged(params.get(name), tags, members[name])

    return add_tags


def _tags_inherited(operation: str, params: dict) -> bool:
    """A model package version takes its group's tags: AWS refuses Tags on it."""
    return operation == "CreateModelPackage" and bool(params.get("ModelPackageGroupName"))


def merged(existing, tags: dict[str, str], shape):
    """``existing`` Tags (list of Key/Value structures, either case, or a map) plus ``tags``, existing first."""
    if shape.type_name == "map":
        return {**tags, **(existing or {})}
    member = shape.member.members
    key, value = ("Key", "Value") if "Key" in member else ("key", "value")
    items = list(existing or [])
    present = {item.get(key) for item in items}
    return items + [{key: k, value: v} for k, v in tags.items() if k not in present]


def as_dict(tag_list) -> dict[str, str]:
    """Tags as AWS lists them (Key/Value or key/value structures) as a plain dict."""
    return {item.get("Key", item.get("key")): item.get("Value", item.get("value")) for item in tag_list or []}
