"""The learner's entry point: one call in a lab's first cells gives everything the lab needs.

``start_session("local")`` (the default) starts or finds the local server and points boto3
and the SageMaker SDK at it; ``start_session("aws")`` uses the real credentials chain and
stops at once, with what to do, when credentials, region or role are missing. On both,
every resource the lab creates is tagged (``workshop_tags``) and requests for instances the
lab does not need are refused before they are sent (``cost_guard``); on aws the session
warns about the workshop's endpoints still running. The SDK is
imported inside the function: ``sagemaker.mlops`` and ``sagemaker.serve`` raise
NoRegionError at import when no region is set yet.
"""

import html
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from . import request_hooks
from .cost_guard import estimate_line, running_endpoints
from .lab_kernel import quiet_definition_building, use_lab_project
from .workshop_tags import SESSION_TAG, WORKSHOP_TAG, workshop_tags

BACKENDS = ("local", "aws")
LOCAL_REGION = "us-east-1"
LOCAL_ROLE_NAME = "AmazonSageMaker-ExecutionRole-mlops-kit"
SAGEMAKER_TRUST_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)
# Same path as the SDK's NOTEBOOK_METADATA_FILE (not imported: the SDK loads slowly).
SAGEMAKER_NOTEBOOK_METADATA = "/opt/ml/metadata/resource-metadata.json"
COMMON_CLIENTS = {
    "s3": "s3", "sagemaker": "sagemaker", "sagemaker_runtime": "sagemaker-runtime",
    "events": "events", "logs": "logs", "cloudwatch": "cloudwatch",
}

# Values of variables before the local backend replaced them, restored for the aws backend.
_environment_before_local: dict[str, str | None] = {}


class SessionError(RuntimeError):
    """The session cannot start; the message says what to fix."""


@dataclass
class WorkshopSession:
    """What every lab needs: where to work, as whom, and the clients to do it with."""

    backend: str
    region: str
    bucket: str
    role_arn: str
    sagemaker_session: object = field(repr=False)
    boto_session: boto3.Session = field(repr=False)
    endpoint_url: str | None = None
    lab: str | None = None
    tags: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict, repr=False, compare=False)
    _returned_monitoring_runs: dict = field(default_factory=dict, repr=False, compare=False)  # schedule -> last run time

    def client(self, service_name: str):
        """A boto3 client of this session (for example "s3", "sagemaker", "events"), made once."""
        if service_name not in self._clients:
            self._clients[service_name] = self.boto_session.client(service_name)
        return self._clients[service_name]

    @property
    def poll_seconds(self) -> int:
        """The pause between two looks at work AWS does in the background (captures, builds, stacks):
        the local server finishes in about a second, AWS in minutes."""
        return 1 if self.backend == "local" else 30

    def __getattr__(self, name: str):
        """``session.s3``, ``.sagemaker``, ``.sagemaker_runtime``, ``.events``, ``.logs``, ``.cloudwatch``."""
        if name in COMMON_CLIENTS:
            return self.client(COMMON_CLIENTS[name])
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; "
                             f"for another AWS service use session.client('<service name>')")

    def wait_for_next_monitoring_run(self, schedule_name: str, *, timeout_minutes: float = 90,
                                     poll_seconds: float = 60) -> dict:
        """The finished execution of an hourly monitoring schedule's next run (its ListMonitoringExecutions summary).

        On "local" the backend's clock moves to 5 past the next hour, so that run happens
        now; on "aws" this waits for it (up to ``timeout_minutes``). See mlops_kit.monitoring_runs.
        """
        from .monitoring_runs import run_next_locally, wait_on_aws

        if self.backend == "local":
            return run_next_locally(self, schedule_name)
        return wait_on_aws(self, schedule_name, timeout_minutes, poll_seconds)

    def teardown(self, dry_run: bool = False) -> None:
        """Delete what this session's lab made, found by its tags, and print what is left (see mlops_kit.teardown)."""
        from .teardown import teardown

        teardown(self, lab=self.lab, dry_run=dry_run)

    def _summary(self) -> list[tuple[str, str]]:
        server = self.endpoint_url or "real AWS"
        return [("backend", self.backend), ("region", self.region), ("bucket", self.bucket),
                ("role", self.role_arn), ("server", server), ("lab", self.lab or "-"),
                ("tags", ", ".join(f"{key}={value}" for key, value in self.tags.items())),
                ("cost of this lab", estimate_line(self.lab))]

    def __repr__(self) -> str:
        return "WorkshopSession(" + ", ".join(f"{key}={value!r}" for key, value in self._summary()) + ")"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{key}</th><td><code>{html.escape(value)}</code></td></tr>"
                       for key, value in self._summary())
        return f"<table><caption>Workshop session</caption>{rows}</table>"


def start_session(backend: str = "local", *, lab: str | None = None, region: str | None = None,
                  bucket: str | None = None, role: str | None = None, cost_guard: bool = True) -> WorkshopSession:
    """Set up the chosen backend and return the lab's session; safe to run again.

    ``lab`` ("lab2") names the lab in the tags and chooses the cost guard's allowance;
    ``cost_guard=False`` lets any instance type through (you pay for it on aws).
    """
    quiet_sdk_logs()
    quiet_definition_building()
    use_lab_project(lab)
    safety = _Safety(lab, cost_guard)
    if backend == "local":
        return _start_local(region or LOCAL_REGION, bucket, role, safety)
    if backend == "aws":
        session = _start_aws(region, bucket, role, safety)
        _warn_about_running_endpoints(session)
        return session
    raise SessionError(f"Unknown backend {backend!r}: use one of {', '.join(repr(name) for name in BACKENDS)} "
                       "(\"local\" runs offline on this machine, \"aws\" uses your AWS account).")


@dataclass(frozen=True)
class _Safety:
    """Tags and cost guard, on every boto3 session of the kernel before any client is made (request_hooks)."""

    lab: str | None
    cost_guard: bool

    def install(self, boto_session: boto3.Session) -> dict:
        tags = workshop_tags(self.lab)
        request_hooks.activate(boto_session, tags, self.lab, self.cost_guard)
        return tags


def _warn_about_running_endpoints(session: "WorkshopSession") -> None:
    """Endpoints of the workshop left running by an earlier session cost money every hour: say so."""
    names = running_endpoints(session.sagemaker, lambda tags: tags.get(WORKSHOP_TAG) and
                              tags.get(SESSION_TAG) == session.tags[SESSION_TAG])
    if names:
        print(f"Warning: {len(names)} endpoint(s) of an earlier workshop session are still running and cost "
              f"money every hour: {', '.join(names)}. Delete them with `./workshop teardown` "
              "(add --dry-run to see the list first).")


def quiet_sdk_logs() -> None:
    """Keep the notebook's output for results: the SDK and botocore log every call at INFO.

    Set ``logging.getLogger("sagemaker").setLevel(logging.INFO)`` to see them again.
    """
    for name in ("sagemaker", "sagemaker.config", "botocore", "boto3"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _start_local(region: str, bucket: str | None, role: str | None, safety: _Safety) -> WorkshopSession:
    from mlops_kit.local.environment import local_environment
    from mlops_kit.local.server.detached import ensure_running

    _override_environment({"AWS_DEFAULT_REGION": region, "AWS_REGION": region})  # before any SDK import
    with ThreadPoolExecutor(max_workers=1) as pool:  # boot the server while this kernel imports the SDK
        server_url = pool.submit(ensure_running)
        import sagemaker.core.helper.session_helper  # noqa: F401
        url = server_url.result()
    _override_environment(local_environment(url, region))
    boto3.setup_default_session(region_name=region)
    boto_session = boto3.DEFAULT_SESSION
    # The SDK asks STS for the account at a hard-coded amazonaws.com endpoint; answer locally.
    boto_session.events.register("request-created.sts", _reroute_to(url), unique_id="mlops-kit-local-sts")
    tags = safety.install(boto_session)
    sagemaker_session = _sagemaker_session(boto_session, bucket)
    return WorkshopSession(
        backend="local", region=region, bucket=sagemaker_session.default_bucket(),
        role_arn=_local_role(boto_session, role or LOCAL_ROLE_NAME), sagemaker_session=sagemaker_session,
        boto_session=boto_session, endpoint_url=url, lab=safety.lab, tags=tags,
    )


def _start_aws(region: str | None, bucket: str | None, role: str | None, safety: _Safety) -> WorkshopSession:
    _restore_environment_before_local()
    boto_session = boto3.Session(region_name=region) if region else boto3.Session()
    if boto_session.get_credentials() is None:
        raise SessionError(
            "No AWS credentials found for the aws backend. Configure them (`aws configure`, "
            "`aws sso login --profile NAME` with AWS_PROFILE=NAME, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), "
            "or use backend=\"local\" to work offline.")
    if not boto_session.region_name:
        raise SessionError(
            "No AWS region set for the aws backend: pass region=\"us-east-1\" (or your region) to "
            "start_session, or set AWS_DEFAULT_REGION, or `aws configure set region REGION`.")
    try:
        account = boto_session.client("sts").get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as error:
        raise SessionError(
            f"Your AWS credentials were rejected or could not be checked (sts:GetCallerIdentity: {error}). "
            "Refresh them (for SSO: `aws sso login`), check the clock and network, or use backend=\"local\".") from error
    role_arn = _aws_role_arn(role, account)
    boto3.setup_default_session(region_name=boto_session.region_name)
    tags = safety.install(boto3.DEFAULT_SESSION)
    sagemaker_session = _sagemaker_session(boto3.DEFAULT_SESSION, bucket)
    return WorkshopSession(
        backend="aws", region=boto_session.region_name, bucket=sagemaker_session.default_bucket(),
        role_arn=role_arn or _notebook_role_arn(sagemaker_session, account), sagemaker_session=sagemaker_session,
        boto_session=boto3.DEFAULT_SESSION, lab=safety.lab, tags=tags,
    )


def _sagemaker_session(boto_session: boto3.Session, bucket: str | None):
    from sagemaker.core.helper.session_helper import Session

    return Session(boto_session=boto_session, default_bucket=bucket)


def _local_role(boto_session: boto3.Session, role: str) -> str:
    """The ARN of an execution role on the local server, created the first time."""
    iam = boto_session.client("iam")
    name = role.rsplit("/", 1)[-1]
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=SAGEMAKER_TRUST_POLICY,
                               Description="SageMaker execution role of the workshop's local backend")["Role"]["Arn"]


def _aws_role_arn(role: str | None, account: str) -> str | None:
    """``role`` as an ARN (it may be a role name); None in SageMaker, where the notebook's role applies."""
    if role:
        return role if role.startswith("arn:") else f"arn:aws:iam::{account}:role/{role}"
    if not _in_sagemaker_notebook():
        raise SessionError(f"No SageMaker execution role: outside SageMaker Studio or a notebook instance, "
                           f"{_how_to_pass_role(account)}.")
    return None


def _notebook_role_arn(sagemaker_session, account: str) -> str:
    from sagemaker.core.helper.session_helper import get_execution_role

    try:
        return get_execution_role(sagemaker_session)
    except (ValueError, ClientError, BotoCoreError) as error:
        raise SessionError(f"Could not find this notebook's SageMaker execution role ({error}); "
                           f"{_how_to_pass_role(account)}.") from error


def _in_sagemaker_notebook() -> bool:
    """SageMaker Studio and notebook instances describe themselves in this file."""
    return os.path.exists(SAGEMAKER_NOTEBOOK_METADATA)


def _how_to_pass_role(account: str) -> str:
    return (f"pass one: start_session(\"aws\", role=\"arn:aws:iam::{account}:role/<your SageMaker execution role>\") "
            "(or just the role's name)")


def _reroute_to(endpoint_url: str):
    local = urlsplit(endpoint_url)

    def reroute(request, **_):
        parts = urlsplit(request.url)
        if (parts.hostname or "").endswith(".amazonaws.com"):
            request.url = urlunsplit((local.scheme, local.netloc, parts.path, parts.query, parts.fragment))

    return reroute


def _override_environment(values: dict[str, str]) -> None:
    for name, value in values.items():
        _environment_before_local.setdefault(name, os.environ.get(name))
        os.environ[name] = value


def _restore_environment_before_local() -> None:
    """Undo what a local session in this kernel set, so the real credentials chain applies."""
    for name, value in _environment_before_local.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _environment_before_local.clear()
