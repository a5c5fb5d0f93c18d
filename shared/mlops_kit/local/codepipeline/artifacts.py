"""Artifacts between actions, stored as CodePipeline stores them in the artifact store.

AWS names an artifact ``<pipeline name, first 20 characters>/<artifact name, first 10
characters>/<7 random characters>`` in the pipeline's artifactStore bucket; every
artifact is one zip file.
"""

import io
import random
import string
import zipfile
from dataclasses import dataclass

PIPELINE_PREFIX_LENGTH = 20
ARTIFACT_PREFIX_LENGTH = 10
RANDOM_KEY_LENGTH = 7


class ArtifactError(Exception):
    """An artifact or a file in it is missing; str() says which, for the action's error."""


@dataclass(frozen=True)
class Artifact:
    name: str
    bucket: str
    key: str

    def detail(self) -> dict:
        """The ArtifactDetail shape of ListActionExecutions."""
        return {"name": self.name, "s3location": {"bucket": self.bucket, "key": self.key}}


def artifact_folder(pipeline_name: str, artifact_name: str) -> str:
    return f"{pipeline_name[:PIPELINE_PREFIX_LENGTH]}/{artifact_name[:ARTIFACT_PREFIX_LENGTH]}"


def new_artifact(bucket: str, pipeline_name: str, artifact_name: str) -> Artifact:
    """Where a new output artifact goes (random final part, as on AWS)."""
    token = "".join(random.choices(string.ascii_letters + string.digits, k=RANDOM_KEY_LENGTH))
    return Artifact(artifact_name, bucket, f"{artifact_folder(pipeline_name, artifact_name)}/{token}")


def split_artifact_path(value: str, setting: str) -> tuple[str, str]:
    """``ArtifactName::path/in/zip`` (TemplatePath, TemplateConfiguration) as (artifact, path)."""
    name, separator, path = value.partition("::")
    if not separator or not name or not path:
        raise ArtifactError(f"{setting} '{value}' must be of the form ArtifactName::path/in/the/zip")
    return name, path


def read_member(zip_bytes: bytes, path: str, artifact_name: str) -> str:
    """The text of one file of an artifact zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile:
        raise ArtifactError(f"Artifact {artifact_name} is not a zip file") from None
    with archive:
        try:
            return archive.read(path.lstrip("/")).decode("utf-8")
        except KeyError:
            raise ArtifactError(f"File {path} does not exist in artifact {artifact_name}") from None
