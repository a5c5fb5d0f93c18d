"""Where the local backend keeps its files, in one place so every part agrees.

Everything lives under ``home_dir()``: env ``MLOPS_KIT_HOME`` when set (tests point it at
a temporary folder), else ``~/.mlops-kit``. Nothing here creates folders; callers create
what they write to.
"""

import os
from pathlib import Path

HOME_ENV = "MLOPS_KIT_HOME"


def home_dir() -> Path:
    """The kit's folder for this user: server state, log, SDK config and job files."""
    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".mlops-kit"


def work_dir() -> Path:
    """Per-job folders of training, processing and endpoints (cleared by a server reset)."""
    return home_dir() / "work"


def server_state_file() -> Path:
    """JSON written by the running server (pid, port, url, versions) so any kernel finds it."""
    return home_dir() / "server.json"


def server_log_file() -> Path:
    """The server's stdout and stderr: what ``mlops-kit server log`` shows."""
    return home_dir() / "server.log"


def server_lock_file() -> Path:
    """Held while a server is being found or started, so two kernels never start two."""
    return home_dir() / "server.lock"


def sdk_config_file() -> Path:
    """SageMaker SDK config (telemetry off) named by SAGEMAKER_USER_CONFIG_OVERRIDE on local."""
    return home_dir() / "sagemaker-config.yaml"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so a reader in another process never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
