"""Backend tests drive the real SageMaker SDK and boto3 over HTTP against an extended moto server."""

import os

import pytest
import requests

from mlops_kit.local.threaded import threaded_server

REGION = "us-east-1"


@pytest.fixture(scope="session")
def server_url():
    with threaded_server() as url:
        yield url


@pytest.fixture(autouse=True)
def aws_env(server_url, monkeypatch):
    """Point every boto3 client at the test server with dummy credentials; reset state after each test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", server_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("SAGEMAKER_VALIDATE_ROLE", "false")
    yield
    requests.post(f"{server_url}/moto-api/reset", timeout=10)
