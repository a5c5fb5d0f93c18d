"""Lineage artifacts and associations, which the SDK's ``Run`` records for its charts.

``Run.log_confusion_matrix``, ``log_roc_curve`` and ``log_precision_recall`` upload the
chart's data to S3, then call CreateArtifact and AddAssociation to link it to the run's
trial component. moto 5.2.5 implements neither (it answers HTTP 500, which botocore retries
for seconds before failing), so this module adds CreateArtifact, DescribeArtifact,
ListArtifacts, AddAssociation and ListAssociations. State lives on the SageMaker backend
instance, so a reset clears it.
"""

import uuid
from datetime import datetime, timezone
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

from ..seams import add_action, install_once

SEAMS: list[tuple] = [  # The lineage actions Run's chart logging calls.
    ("moto.sagemaker.responses.SageMakerResponse.create_artifact", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.describe_artifact", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.list_artifacts", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.add_association", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.list_associations", "kit_action"),
]

DEFAULT_PAGE_SIZE = 50
# ARN resource type -> the lineage entity type reported in association summaries.
_ENTITY_TYPES = {"experiment-trial-component": "ExperimentTrialComponent", "action": "Action", "context": "Context"}


def install() -> None:
    """Add the lineage actions moto lacks (add_action keeps moto's if it gains them)."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    for action, function in (
        ("create_artifact", create_artifact),
        ("describe_artifact", describe_artifact),
        ("list_artifacts", list_artifacts),
        ("add_association", add_association),
        ("list_associations", list_associations),
    ):
        add_action(SageMakerResponse, action, function)


def _artifacts(backend: SageMakerModelBackend) -> dict[str, dict[str, Any]]:
    return vars(backend).setdefault("kit_lineage_artifacts", {})


def _associations(backend: SageMakerModelBackend) -> list[dict[str, Any]]:
    return vars(backend).setdefault("kit_lineage_associations", [])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def create_artifact(self: SageMakerResponse) -> ActionResult:
    backend = self.sagemaker_backend
    arn = arn_formatter("artifact", uuid.uuid4().hex, backend.account_id, backend.region_name)
    now = _now()
    artifact = {
        "ArtifactArn": arn,
        "ArtifactName": self._get_param("ArtifactName"),
        "Source": self._get_param("Source"),
        "ArtifactType": self._get_param("ArtifactType"),
        "Properties": self._get_param("Properties"),
        "MetadataProperties": self._get_param("MetadataProperties"),
        "CreationTime": now,
        "CreatedBy": {},
        "LastModifiedTime": now,
        "LastModifiedBy": {},
    }
    _artifacts(backend)[arn] = {k: v for k, v in artifact.items() if v is not None}
    return ActionResult({"ArtifactArn": arn})


def _require_artifact(backend: SageMakerModelBackend, arn: str) -> dict[str, Any]:
    artifact = _artifacts(backend).get(arn)
    if artifact is None:
        raise ResourceNotFound(f"Artifact '{arn}' does not exist. List artifacts with ListArtifacts.")
    return artifact


def describe_artifact(self: SageMakerResponse) -> ActionResult:
    return ActionResult(dict(_require_artifact(self.sagemaker_backend, self._get_param("ArtifactArn"))))


def list_artifacts(self: SageMakerResponse) -> ActionResult:
    source_uri, artifact_type = self._get_param("SourceUri"), self._get_param("ArtifactType")
    found = [
        a
        for a in list(_artifacts(self.sagemaker_backend).values())
        if (source_uri is None or a.get("Source", {}).get("SourceUri") == source_uri)
        and (artifact_type is None or a.get("ArtifactType") == artifact_type)
    ]
    page, next_token = _sorted_page(self, found)
    fields = ("ArtifactArn", "ArtifactName", "Source", "ArtifactType", "CreationTime", "LastModifiedTime")
    return ActionResult({"ArtifactSummaries": [{k: a[k] for k in fields if k in a} for a in page], "NextToken": next_token})


def _entity(backend: SageMakerModelBackend, arn: str) -> tuple[str, str]:
    """(type, name) of a lineage entity, or ResourceNotFound naming the ARN."""
    if arn in _artifacts(backend):
        artifact = _artifacts(backend)[arn]
        return artifact.get("ArtifactType", "Artifact"), artifact.get("ArtifactName", "")
    resource_type, _, name = arn.split(":", 5)[-1].partition("/")
    if resource_type == "experiment-trial-component" and name in backend.trial_components:
        return _ENTITY_TYPES[resource_type], name
    raise ResourceNotFound(f"Lineage entity '{arn}' does not exist. Create it before associating it.")


def add_association(self: SageMakerResponse) -> ActionResult:
    backend = self.sagemaker_backend
    source_arn, destination_arn = self._get_param("SourceArn"), self._get_param("DestinationArn")
    source_type, source_name = _entity(backend, source_arn)
    destination_type, destination_name = _entity(backend, destination_arn)
    if any(a["SourceArn"] == source_arn and a["DestinationArn"] == destination_arn for a in list(_associations(backend))):
        raise ValidationError(f"Association from '{source_arn}' to '{destination_arn}' already exists.")
    _associations(backend).append(
        {
            "SourceArn": source_arn,
            "DestinationArn": destination_arn,
            "SourceType": source_type,
            "DestinationType": destination_type,
            "AssociationType": self._get_param("AssociationType") or "ContributedTo",
            "SourceName": source_name,
            "DestinationName": destination_name,
            "CreationTime": _now(),
            "CreatedBy": {},
        }
    )
    return ActionResult({"SourceArn": source_arn, "DestinationArn": destination_arn})


def list_associations(self: SageMakerResponse) -> ActionResult:
    wanted = {
        key: self._get_param(key)
        for key in ("SourceArn", "DestinationArn", "SourceType", "DestinationType", "AssociationType")
        if self._get_param(key) is not None
    }
    found = [a for a in list(_associations(self.sagemaker_backend)) if all(a[k] == v for k, v in wanted.items())]
    page, next_token = _sorted_page(self, found)
    return ActionResult({"AssociationSummaries": page, "NextToken": next_token})


def _sorted_page(self: SageMakerResponse, items: list[dict[str, Any]]) -> tuple[list, str | None]:
    """Sort by CreationTime (the only sort both list actions share) and cut one page."""
    items = sorted(items, key=lambda i: i["CreationTime"], reverse=self._get_param("SortOrder") != "Ascending")
    start = int(self._get_param("NextToken") or 0)
    end = start + int(self._get_param("MaxResults") or DEFAULT_PAGE_SIZE)
    return items[start:end], (str(end) if end < len(items) else None)
