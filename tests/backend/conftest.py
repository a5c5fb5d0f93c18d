"""Backend tests drive the real SageMaker SDK and boto3 over HTTP against an extended moto server.

The server runs in this process (``threaded_server``): seams verified, every extension
installed, the same app and status route as the detached server.
"""

import pytest
import requests

from mlops_kit.local.environment import local_environment
from mlops_kit.local.threaded import threaded_server

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
