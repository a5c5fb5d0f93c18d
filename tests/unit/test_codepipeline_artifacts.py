"""Artifact names, artifact paths and the failed-build message, as CodePipeline forms them."""

import io
import re
import zipfile

import pytest

from mlops_kit.local.codepipeline.actions import build_failure
from mlops_kit.local.codepipeline.artifacts import ArtifactError, new_artifact, read_member, split_artifact_path


def test_artifact_keys_truncate_the_pipeline_and_artifact_names_and_end_with_a_random_key():
    artifact = new_artifact("store", "sagemaker-credit-modeldeploy", "BuildArtifact")

    assert artifact.bucket == "store"
    assert re.fullmatch(r"sagemaker-credit-mod/BuildArtif/[A-Za-z0-9]{7}", artifact.key)
    assert new_artifact("store", "p", "a").key != new_artifact("store", "p", "a").key


@pytest.mark.parametrize("value", ["template.yml", "::template.yml", "BuildArtifact::"])
def test_an_artifact_path_without_artifact_name_and_path_is_refused(value):
    with pytest.raises(ArtifactError, match="must be of the form ArtifactName::path"):
        split_artifact_path(value, "TemplatePath")


def test_an_artifact_path_names_the_artifact_and_the_file():
    assert split_artifact_path("BuildArtifact::configs/prod.json", "TemplateConfiguration") == (
        "BuildArtifact", "configs/prod.json")


def test_read_member_reads_a_file_and_names_what_is_missing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("template-export.yml", "Resources: {}")

    assert read_member(buffer.getvalue(), "template-export.yml", "BuildArtifact") == "Resources: {}"
    with pytest.raises(ArtifactError, match="File prod.json does not exist in artifact BuildArtifact"):
        read_member(buffer.getvalue(), "prod.json", "BuildArtifact")
    with pytest.raises(ArtifactError, match="Artifact BuildArtifact is not a zip file"):
        read_member(b"plain text", "prod.json", "BuildArtifact")


def test_a_failed_build_is_described_by_its_first_failed_phase():
    build = {"buildStatus": "FAILED", "phases": [
        {"phaseType": "INSTALL", "phaseStatus": "SUCCEEDED"},
        {"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": [
            {"statusCode": "COMMAND_EXECUTION_ERROR",
             "message": "Error while executing command: python build.py. Reason: exit status 1"}]},
        {"phaseType": "POST_BUILD", "phaseStatus": "FAILED"}]}

    assert build_failure(build) == (
        "Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, "
        "Message: Error while executing command: python build.py. Reason: exit status 1")
    assert build_failure({"buildStatus": "TIMED_OUT", "phases": []}) == "Build terminated with state: TIMED_OUT"
