"""The process environment that points boto3 and the SageMaker SDK at the local server.

One definition shared by the learner's session, the server process (whose extensions may
call boto3 against their own server) and the test suite, so all three agree.
"""

from pathlib import Path

from .paths import sdk_config_file, write_atomically

DEFAULT_REGION = "us-east-1"

# Any non-empty key works with moto; fixed values keep the account id moto's default.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

# The SDK sends a telemetry request to an amazonaws.com URL unless this is set.
SDK_CONFIG = """\
SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
"""


def local_environment(endpoint_url: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Environment variables for boto3 and SDK v3 code to talk to the local server offline."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        **DUMMY_CREDENTIALS,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "SAGEMAKER_VALIDATE_ROLE": "false",
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(write_sdk_config()),
    }


def write_sdk_config(path: Path | None = None) -> Path:
    """Write the SDK config with telemetry off (unchanged files are left alone)."""
    path = path or sdk_config_file()
    if not path.exists() or path.read_text() != SDK_CONFIG:
        write_atomically(path, SDK_CONFIG)
    return path
