"""One CodeBuild build, run for real in a daemon thread of the server process.

Phases as on AWS: SUBMITTED, QUEUED, PROVISIONING (the build's folder and Python),
DOWNLOAD_SOURCE (the source zips, the buildspec), INSTALL, PRE_BUILD, BUILD, POST_BUILD
(the buildspec's commands), UPLOAD_ARTIFACTS, FINALIZING, COMPLETED. A failed command fails
its phase with CodeBuild's message; after a failed INSTALL or PRE_BUILD nothing else runs,
after a failed BUILD the POST_BUILD commands still run (with CODEBUILD_BUILD_SUCCEEDING=0).
The record is the dict BatchGetBuilds returns: every key exists from the start and is
reassigned, never added, while the server may be serialising it.
"""

import io
import logging
import shutil
import threading
import time
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from moto.logs.exceptions import ResourceAlreadyExistsException
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends

from ..paths import work_dir
from . import artifacts as artifact_files
from .buildspec import PHASES, BuildspecError, parse_buildspec
from .environment import EnvironmentVariableError, build_environment, make_build_python, project_variables
from .shell import BuildShell

logger = logging.getLogger(__name__)
DEFAULT_BUILDSPEC = "buildspec.yml"
OFFLINE_NOTES = (
    "offline: the local backend runs this build on this machine with the kit's Python; "
    "runtime-versions are not installed",
    "offline: pip installs from the packages already in the kit's environment (no index)",
)


class PhaseFailed(Exception):
    def __init__(self, status_code: str, message: str):
        super().__init__(message)
        self.status_code, self.message = status_code, message


def now() -> datetime:
    return datetime.now(timezone.utc)


class BuildRun:
    """A build's record (what the API shows) and the work that fills it in."""

    def __init__(self, backend, project: dict, request: dict, endpoint_url: str | None):
        self.backend, self.project, self.request = backend, project, request
        self.endpoint_url = endpoint_url or "http://127.0.0.1:5000"
        name = project["name"]
        build_uuid = str(uuid.uuid4())
        self.build_id = f"{name}:{build_uuid}"
        number = len(backend.build_history.get(name, [])) + 1
        source = {**project["source"]}
        if request.get("sourceTypeOverride"):
            source = {"type": request["sourceTypeOverride"], "location": request.get("sourceLocationOverride", ""),
                      **({"buildspec": source["buildspec"]} if source.get("buildspec") else {})}
        if request.get("buildspecOverride"):
            source["buildspec"] = request["buildspecOverride"]
        self.source = source
        self.artifacts = request.get("artifactsOverride") or project.get("artifacts") or {"type": "NO_ARTIFACTS"}
        self.timeout_minutes = int(request.get("timeoutInMinutesOverride") or project.get("timeoutInMinutes") or 60)
        region, account = backend.region_name, backend.account_id
        group, stream = f"/aws/codebuild/{name}", build_uuid
        self.record = {
            "id": self.build_id, "arn": f"arn:aws:codebuild:{region}:{account}:build/{self.build_id}",
            "buildNumber": number, "startTime": now(), "endTime": None, "currentPhase": "SUBMITTED",
            "buildStatus": "IN_PROGRESS", "sourceVersion": request.get("sourceVersion"),
            "resolvedSourceVersion": None, "projectName": name, "phases": [],
            "source": source, "secondarySources": request.get("secondarySourcesOverride") or [],
            "artifacts": {}, "environment": project.get("environment", {}), "serviceRole": project.get("serviceRole"),
            "logs": {"groupName": group, "streamName": stream,
                     "deepLink": f"https://console.aws.amazon.com/cloudwatch/home?region={region}#logEvent:"
                                 f"group={group};stream={stream}",
                     "cloudWatchLogsArn": f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}"},
            "timeoutInMinutes": self.timeout_minutes, "queuedTimeoutInMinutes": 480, "buildComplete": False,
            "initiator": "mlops-kit-local", "encryptionKey": f"arn:aws:kms:{region}:{account}:alias/aws/s3",
        }
        self.folder = work_dir() / "codebuild" / build_uuid
        self.shell: BuildShell | None = None
        self.stop_requested = threading.Event()
        self.deadline = time.monotonic() + self.timeout_minutes * 60
        self._log_ready = False

    # --- the record -------------------------------------------------------------------------
    def _phase(self, phase_type: str, status: str, started: datetime, context: dict | None = None) -> None:
        ended = now()
        phase = {"phaseType": phase_type, "phaseStatus": status, "startTime": started, "endTime": ended,
                 "durationInSeconds": int((ended - started).total_seconds()),
                 "contexts": [context or {"statusCode": "", "message": ""}]}
        self.record["phases"] = [*self.record["phases"], phase]

    def log(self, *lines: str) -> None:
        """Lines to the build's CloudWatch Logs stream, as CodeBuild writes them."""
        backend = logs_backends[self.backend.account_id][self.backend.region_name]
        group, stream = self.record["logs"]["groupName"], self.record["logs"]["streamName"]
        if not self._log_ready:
            try:
                backend.create_log_group(group, tags={})
            except ResourceAlreadyExistsException:
                pass
            backend.ensure_log_stream(group, stream)
            self._log_ready = True
        stamp = int(time.time() * 1000)
        events = [{"timestamp": stamp, "message": line} for line in lines if line is not None]
        if events:
            backend.put_log_events(group, stream, events)

    def container(self, text: str) -> None:
        self.log(f"[Container] {now():%Y/%m/%d %H:%M:%S.%f} {text}")

    # --- running ----------------------------------------------------------------------------
    def start(self) -> None:
        threading.Thread(target=self._run, name=f"mlops-kit-codebuild-{self.build_id}", daemon=True).start()

    def stop(self) -> None:
        self.stop_requested.set()
        if self.shell:
            self.shell.stop()

    def _run(self) -> None:
        try:
            status = self._phases()
        except Exception as error:  # noqa: BLE001 - a fault of the kit must still end the build
            logger.exception("build %s crashed", self.build_id)
            self.container(f"The local backend could not run this build ({type(error).__name__}: {error}); "
                           "this is a bug of the kit.")
            self._phase(self.record["currentPhase"], "FAILED", now(),
                        {"statusCode": "CLIENT_ERROR", "message": f"{type(error).__name__}: {error}"})
            status = "FAILED"
        started = now()
        self.record["currentPhase"] = "FINALIZING"
        self._phase("FINALIZING", "SUCCEEDED", started)
        self.record["currentPhase"] = "COMPLETED"
        self.record["phases"] = [*self.record["phases"], {"phaseType": "COMPLETED", "startTime": now()}]
        self.record["endTime"] = now()
        self.record["buildStatus"] = status
        self.record["buildComplete"] = True
        shutil.rmtree(self.folder, ignore_errors=True)

    def _phases(self) -> str:
        for phase_type in ("SUBMITTED", "QUEUED"):
            self._phase(phase_type, "SUCCEEDED", self.record["startTime"])
        started = now()
        self.record["currentPhase"] = "PROVISIONING"
        self.container("Waiting for agent ping")
        for note in OFFLINE_NOTES:
            self.container(note)
        bin_folder = make_build_python(self.folder / "python")
        self._phase("PROVISIONING", "SUCCEEDED", started)

        started = now()
        self.record["currentPhase"] = "DOWNLOAD_SOURCE"
        try:
            source_folder, buildspec, environment = self._download_source(bin_folder)
        except (PhaseFailed, BuildspecError, EnvironmentVariableError) as failure:
            code = getattr(failure, "status_code", "YAML_FILE_ERROR" if isinstance(failure, BuildspecError)
                           else "CLIENT_ERROR")
            message = str(failure)
            self.container(f"Phase complete: DOWNLOAD_SOURCE State: FAILED")
            self.container(f"Phase context status code: {code} Message: {message}")
            self._phase("DOWNLOAD_SOURCE", "FAILED", started, {"statusCode": code, "message": message})
            return "FAILED"
        self._phase("DOWNLOAD_SOURCE", "SUCCEEDED", started)
        self.shell = BuildShell(self.folder / "shell", source_folder, environment)

        status = "SUCCEEDED"
        for name in PHASES:
            if status != "SUCCEEDED" and name != "post_build":
                continue
            phase_status = self._run_phase(name, buildspec.phases.get(name))
            if phase_status in ("STOPPED", "TIMED_OUT"):
                return phase_status
            if phase_status == "FAILED":
                status = "FAILED"
                self.shell.environment["CODEBUILD_BUILD_SUCCEEDING"] = "0"
        if status != "SUCCEEDED":
            return status
        return self._upload_artifacts(buildspec, source_folder, environment)

    def _download_source(self, bin_folder: Path):
        source_folder = self.folder / "src"
        source_folder.mkdir(parents=True)
        version = self._unzip_source(self.source, source_folder)
        self.record["resolvedSourceVersion"] = version
        secondary = {}
        for item in self.record["secondarySources"]:
            identifier = item.get("sourceIdentifier") or f"source{len(secondary) + 1}"
            folder = self.folder / "secondary" / identifier
            folder.mkdir(parents=True)
            self._unzip_source(item, folder)
            secondary[f"CODEBUILD_SRC_DIR_{identifier}"] = str(folder)
        buildspec = self._buildspec(source_folder)
        home = self.folder / "home"
        home.mkdir()
        codebuild = {
            "CODEBUILD_BUILD_ID": self.build_id, "CODEBUILD_BUILD_ARN": self.record["arn"],
            "CODEBUILD_BUILD_NUMBER": str(self.record["buildNumber"]), "CODEBUILD_SRC_DIR": str(source_folder),
            "CODEBUILD_INITIATOR": self.record["initiator"], "CODEBUILD_BUILD_SUCCEEDING": "1",
            "CODEBUILD_BUILD_IMAGE": self.record["environment"].get("image", ""),
            "CODEBUILD_RESOLVED_SOURCE_VERSION": version or "", "CODEBUILD_SOURCE_VERSION": version or "",
            "CODEBUILD_START_TIME": str(int(self.record["startTime"].timestamp() * 1000)),
            "CODEBUILD_LOG_PATH": self.record["logs"]["streamName"], **secondary,
        }
        variables = project_variables(self.record["environment"].get("environmentVariables"))
        variables.update(project_variables(self.request.get("environmentVariablesOverride")))
        environment = build_environment(endpoint_url=self.endpoint_url, region=self.backend.region_name, home=home,
                                        bin_folder=bin_folder, codebuild=codebuild, buildspec=buildspec.variables,
                                        project=variables)
        return source_folder, buildspec, environment

    def _unzip_source(self, source: dict, folder: Path) -> str | None:
        """Extract an S3 source zip (``bucket/key``) into ``folder``; its version id is the source version."""
        kind = source.get("type")
        if kind == "NO_SOURCE":
            return None
        if kind != "S3":
            raise PhaseFailed("CLIENT_ERROR", f"source type {kind} is given by the CodePipeline that runs this "
                                              "project; start the build from the pipeline, or override the source "
                                              "with an S3 zip (sourceTypeOverride S3)")
        bucket, _, key = source.get("location", "").partition("/")
        s3 = s3_backends[self.backend.account_id]["aws"]
        try:
            obj = s3.get_object(bucket, key)
        except Exception:  # noqa: BLE001 - moto raises several kinds for a missing bucket or key
            obj = None
        if obj is None:
            raise PhaseFailed("CLIENT_ERROR", f"NoSuchKey: the source s3://{bucket}/{key} does not exist")
        try:
            with zipfile.ZipFile(io.BytesIO(obj.value)) as archive:
                archive.extractall(folder)
        except zipfile.BadZipFile:
            raise PhaseFailed("CLIENT_ERROR", f"the source s3://{bucket}/{key} is not a zip file") from None
        self.container(f"Downloading source s3://{bucket}/{key}")
        return getattr(obj, "version_id", None) or obj.etag.strip('"')

    def _buildspec(self, source_folder: Path):
        spec = self.source.get("buildspec") or DEFAULT_BUILDSPEC
        if "\n" in spec or spec.lstrip().startswith("version"):
            return parse_buildspec(spec, "the project's inline buildspec")
        path = source_folder / spec
        if not path.is_file():
            raise BuildspecError(f"YAML_FILE_ERROR: stat {spec}: no such file or directory "
                                 "(the buildspec path is relative to the source's root)")
        return parse_buildspec(path.read_text(), spec)

    def _run_phase(self, name: str, phase) -> str:
        phase_type = name.upper()
        started = now()
        self.record["currentPhase"] = phase_type
        self.container(f"Entering phase {phase_type}")
        context, status = None, "SUCCEEDED"
        if phase and phase.runtime_versions:
            self.container(f"runtime-versions {phase.runtime_versions} not installed: offline, the build uses the "
                           "kit's Python")
        for command in (phase.commands if phase else []):
            code = self._command(command)
            if code != 0:
                status, context = self._failure(command, code)
                if status != "FAILED" or phase.on_failure == "ABORT":
                    break
        for command in (phase.finally_commands if phase else []):
            if self._command(command) != 0 and status == "SUCCEEDED":
                status, context = self._failure(command, 1)
        self.container(f"Phase complete: {phase_type} State: {status}")
        self.container(f"Phase context status code: {(context or {}).get('statusCode', '')} "
                       f"Message: {(context or {}).get('message', '')}")
        self._phase(phase_type, status, started, context)
        return status

    def _command(self, command: str) -> int:
        if self.stop_requested.is_set():
            return -15
        self.container(f"Running command {command}")
        remaining = self.deadline - time.monotonic()
        return self.shell.run(command, self.log, max(remaining, 1))

    def _failure(self, command: str, code: int) -> tuple[str, dict]:
        if code == -15:
            return "STOPPED", {"statusCode": "BUILD_STOPPED", "message": "Build was stopped"}
        if code == 124 and time.monotonic() >= self.deadline:
            return "TIMED_OUT", {"statusCode": "BUILD_TIMED_OUT",
                                 "message": f"Build has timed out. Timeout is {self.timeout_minutes} minutes"}
        return "FAILED", {"statusCode": "COMMAND_EXECUTION_ERROR",
                          "message": f"Error while executing command: {command}. Reason: exit status {code}"}

    def _upload_artifacts(self, buildspec, source_folder: Path, environment: dict[str, str]) -> str:
        started = now()
        self.record["currentPhase"] = "UPLOAD_ARTIFACTS"
        if self.artifacts.get("type") == "NO_ARTIFACTS" or not buildspec.artifacts:
            self._phase("UPLOAD_ARTIFACTS", "SUCCEEDED", started)
            return "SUCCEEDED"
        try:
            files = artifact_files.collect(buildspec.artifacts, source_folder, environment)
        except artifact_files.ArtifactsError as error:
            self.container(f"Phase complete: UPLOAD_ARTIFACTS State: FAILED")
            self._phase("UPLOAD_ARTIFACTS", "FAILED", started, {"statusCode": "CLIENT_ERROR", "message": str(error)})
            return "FAILED"
        bucket = self.artifacts.get("location", "")
        name = self.artifacts.get("name") or buildspec.artifacts.get("name") or self.project["name"]
        path = self.artifacts.get("path") or ""
        if self.artifacts.get("namespaceType") == "BUILD_ID":
            path = "/".join(part for part in (path, self.build_id.split(":")[1]) if part)
        key = "/".join(part for part in (path, name) if part)
        s3 = s3_backends[self.backend.account_id]["aws"]
        if self.artifacts.get("packaging", "NONE") == "ZIP" or self.artifacts.get("type") == "CODEPIPELINE":
            s3.put_object(bucket, key, artifact_files.zipped(files))
        else:
            for member, file in files.items():
                s3.put_object(bucket, f"{key}/{member}", file.read_bytes())
        self.container(f"Uploading {len(files)} artifact file(s) to s3://{bucket}/{key}")
        self.record["artifacts"] = {"location": f"arn:aws:s3:::{bucket}/{key}"}
        self._phase("UPLOAD_ARTIFACTS", "SUCCEEDED", started)
        return "SUCCEEDED"
