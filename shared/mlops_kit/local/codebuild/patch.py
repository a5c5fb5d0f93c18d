"""Installs the codebuild room into moto: projects with CODEPIPELINE sources, builds that run.

moto's CodeBuild keeps metadata only (a build is SUCCEEDED with random phase durations the
first time it is described). The kit keeps moto's projects and build history, and answers
StartBuild, BatchGetBuilds and StopBuild from builds that really run (``builds.BuildRun``).
"""

import functools

import moto.codebuild.responses as codebuild_responses
from moto.codebuild.exceptions import InvalidInputException, ResourceNotFoundException
from moto.codebuild.models import CodeBuildBackend
from moto.codebuild.responses import CodeBuildResponse
from moto.core.responses import ActionResult

from ..seams import install_once
from .builds import BuildRun

SEAMS: list[tuple] = [
    ("moto.codebuild.responses._validate_required_params_source", "callable", ("source",)),
    ("moto.codebuild.responses._validate_required_params_artifacts", "callable", ("artifacts",)),
    ("moto.codebuild.responses._validate_required_params_project_name", "callable", ("name",)),
    ("moto.codebuild.responses.CodeBuildResponse.start_build", "callable"),
    ("moto.codebuild.responses.CodeBuildResponse.codebuild_backend", "attribute"),
    ("moto.codebuild.models.CodeBuildBackend.batch_get_builds", "callable", ("ids",)),
    ("moto.codebuild.models.CodeBuildBackend.stop_build", "callable", ("build_id",)),
    ("moto.codebuild.models.CodeBuildBackend.codebuild_projects", "backend_attribute"),
    ("moto.codebuild.models.CodeBuildBackend.build_history", "backend_attribute"),
    ("moto.codebuild.exceptions.InvalidInputException", "class"),
    ("moto.codebuild.exceptions.ResourceNotFoundException", "class"),
    ("moto.logs.models.logs_backends", "attribute"),
    ("moto.logs.models.LogsBackend.put_log_events", "callable", ("log_group_name", "log_stream_name", "log_events")),
    ("moto.logs.models.LogsBackend.ensure_log_stream", "callable", ("log_group_name", "log_stream_name")),
]
SOURCES_WITHOUT_LOCATION = {"CODEPIPELINE", "NO_SOURCE"}


def runs(backend) -> dict[str, BuildRun]:
    """The kit's builds, kept on the backend so that a reset clears them."""
    return backend.__dict__.setdefault("_mlops_kit_builds", {})


def validate_source(original):
    @functools.wraps(original)
    def validate(source):
        if source.get("type") in SOURCES_WITHOUT_LOCATION and not source.get("location"):
            if source["type"] == "NO_SOURCE" and not source.get("buildspec"):
                raise InvalidInputException("Project source buildspec is required when source type is NO_SOURCE")
            return None
        return original(source)

    return validate


def validate_artifacts(original):
    @functools.wraps(original)
    def validate(artifacts):
        if artifacts.get("type") == "CODEPIPELINE":
            return None
        return original(artifacts)

    return validate


def start_build(self):
    name = self._get_param("projectName")
    codebuild_responses._validate_required_params_project_name(name)
    backend = self.codebuild_backend
    project = backend.codebuild_projects.get(name)
    if project is None:
        raise ResourceNotFoundException(
            f"Project cannot be found: arn:aws:codebuild:{self.region}:{self.current_account}:project/{name}")
    request = {key: self._get_param(key) for key in (
        "sourceTypeOverride", "sourceLocationOverride", "secondarySourcesOverride", "artifactsOverride",
        "environmentVariablesOverride", "buildspecOverride", "timeoutInMinutesOverride", "sourceVersion")}
    host = self.headers.get("Host")
    run = BuildRun(backend, project.project_metadata, request, f"http://{host}" if host else None)
    runs(backend)[run.build_id] = run
    backend.build_history.setdefault(name, []).append(run.build_id)
    run.start()
    return ActionResult({"build": run.record})


def batch_get_builds(original):
    @functools.wraps(original)
    def batch_get(self, ids):
        kit = runs(self)
        return [kit[build_id].record for build_id in ids if build_id in kit] + \
            original(self, [build_id for build_id in ids if build_id not in kit])

    return batch_get


def stop_build(original):
    @functools.wraps(original)
    def stop(self, build_id):
        run = runs(self).get(build_id)
        if run is None:
            return original(self, build_id)
        if not run.record["buildComplete"]:
            run.stop()
        return run.record

    return stop


def install() -> None:
    """Run builds' buildspecs for real."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    codebuild_responses._validate_required_params_source = validate_source(
        codebuild_responses._validate_required_params_source)
    codebuild_responses._validate_required_params_artifacts = validate_artifacts(
        codebuild_responses._validate_required_params_artifacts)
    CodeBuildResponse.start_build = functools.wraps(CodeBuildResponse.start_build)(start_build)
    CodeBuildBackend.batch_get_builds = batch_get_builds(CodeBuildBackend.batch_get_builds)
    CodeBuildBackend.stop_build = stop_build(CodeBuildBackend.stop_build)
