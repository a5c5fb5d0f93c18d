"""Backend tests drive the real SageMaker SDK and boto3 over HTTP against an extended moto server.

The server runs in this process (``threaded_server``): seams verified, every extension
installed, the same app and status route as the detached server.
"""

import os
from dataclasses import asdict

import boto3
import pytest
import requests

from mlops_kit import request_hooks
from mlops_kit import session as session_module
from mlops_kit.local.server.detached import probe, record_state

from mlops_kit.local.environment import local_environment
from mlops_kit.local.server.in_thread import threaded_server

REGION = "us-east-1"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """One extended server for the session; its job files go to a temporary kit home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_KIT_HOME", str(tmp_path_factory.mktemp("mlops-kit-home")))
        with threaded_server() as url:
            yield url


@pytest.fixture(autouse=True)
def aws_env(server_url, monkeypatch):
    """Point boto3 and the SDK at the test server (dummy credentials, telemetry off); reset state after each test."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in local_environment(server_url, REGION).items():
        monkeypatch.setenv(name, value)
    yield
    requests.post(f"{server_url}/moto-api/reset", timeout=10)


@pytest.fixture
def restore_process_state():
    """start_session sets os.environ, boto3's default session and the request hooks for the kernel; undo
    them after the test."""
    environment, default_session = dict(os.environ), boto3.DEFAULT_SESSION
    yield
    os.environ.clear()
    os.environ.update(environment)
    boto3.DEFAULT_SESSION = default_session
    session_module._environment_before_local.clear()
    request_hooks.deactivate()


@pytest.fixture
def local_home(server_url, tmp_path, monkeypatch):
    """A kit home whose state file names the suite's test server, as a running server writes it."""
    monkeypatch.setenv("MLOPS_KIT_HOME", str(tmp_path))
    record_state(asdict(probe(server_url)))
    return tmp_path
