"""Find, start and manage the one local server of this machine, from any kernel.

The server (``server/app.py``) runs detached in its own session, so it outlives the kernel
that started it and kernel restarts. It records itself in ``server_state_file()``, but a
client trusts only a live answer on ``STATUS_PATH``, which also tells the kit's server
from any other program on the port. Finding and starting happen under a file lock, so
two kernels starting at once get one server. This module stays light (no moto import):
every notebook imports it.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections import deque
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import psutil

from ..paths import server_lock_file, server_log_file, server_state_file, work_dir, write_atomically

HOST = "127.0.0.1"
# A leading "_" cannot start an S3 bucket name, so no path-style S3 request is shadowed.
STATUS_PATH = "/_mlops_kit/status"
SERVICE_NAME = "mlops-kit-local"
DEFAULT_PORT = 4599
PORT_ENV = "MLOPS_KIT_PORT"
START_TIMEOUT_SECONDS = 60.0
EXIT_PORT_IN_USE = 3
LOG_ROTATE_BYTES = 5_000_000

# Requests to 127.0.0.1 must never go through an HTTP proxy set in the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(RuntimeError):
    """The local server cannot be found, started or managed; the message says what to do."""


class PortInUseError(ServerError):
    """The port is held by a program that is not the kit's server."""


class ServerStartError(ServerError):
    """The server process exited or did not answer while starting."""


class StaleServerWarning(UserWarning):
    """The running server was started from older kit code than the installed one."""


@dataclass(frozen=True)
class ServerStatus:
    """What the running server says about itself."""

    url: str
    pid: int
    port: int
    version: str
    moto_version: str
    started_at: float
    rss_bytes: int
    code: str

    @property
    def uptime_seconds(self) -> float:
        return time.time() - self.started_at

    def __str__(self) -> str:
        return "\n".join([
            f"Local server: {self.url}",
            f"  pid:     {self.pid}",
            f"  uptime:  {timedelta(seconds=round(self.uptime_seconds))}",
            f"  memory:  {self.rss_bytes / 1e6:.1f} MB resident",
            f"  version: mlops-kit {self.version}, moto {self.moto_version}"
            + ("" if self.code == code_fingerprint() else " (older code than installed: restart it)"),
            f"  log:     {server_log_file()}",
        ])


def free_port() -> int:
    """A loopback port nobody listens on right now (for tests and the grader's own servers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configured_port() -> int:
    """MLOPS_KIT_PORT when set, else the default port."""
    raw = os.environ.get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ServerError(f"{PORT_ENV}={raw!r} is not a port number: set it to a free port "
                          f"between 1024 and 65535 (for example {PORT_ENV}=4600), or unset it to use {DEFAULT_PORT}.")
    return int(raw)


def code_fingerprint() -> str:
    """Changes whenever a file of the local backend changes (an editable install after `git pull`)."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()[:12]


def probe(url: str, timeout: float = 2.0) -> ServerStatus | None:
    """The kit's server answering at ``url``, or None (nothing there, or another program)."""
    try:
        with _opener.open(url + STATUS_PATH, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or answer.get("service") != SERVICE_NAME:
        return None
    return ServerStatus(**{field: answer[field] for field in ServerStatus.__dataclass_fields__})


def status() -> ServerStatus | None:
    """The running server of this machine (per MLOPS_KIT_HOME), or None."""
    try:
        state = json.loads(server_state_file().read_text())
        return probe(state["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ensure_running(port: int | None = None, timeout: float = START_TIMEOUT_SECONDS) -> str:
    """URL of the running server, starting one (detached) if there is none."""
    return start(port, timeout).url


def start(port: int | None = None, timeout: float = START_TIMEOUT_SECONDS) -> ServerStatus:
    """Start the server unless one runs already (then return that one, whatever its port)."""
    with _machine_lock():
        running = status()
        if running:
            _warn_if_stale(running)
            return running
        port = port or configured_port()
        if not _port_is_free(port):
            running = probe(f"http://{HOST}:{port}", timeout=1.0)
            hung_pid = None if running else _unresponsive_server_pid()
            if hung_pid:
                raise ServerError(f"The kit's local server (pid {hung_pid}) holds port {port} "
                                  "but is not answering. Wait a moment and try again, or restart it: "
                                  "`mlops-kit server stop`, then run your cell again.")
            if running is None:
                raise PortInUseError(_port_in_use_message(port))
            record_state(asdict(running))  # the kit's server, whose state file was lost: adopt it
            return running
        return _wait_until_ready(_spawn(port), port, timeout)


def stop(timeout: float = 10.0) -> int | None:
    """Stop the server, even a hung one; return its pid, or None if none was running."""
    with _machine_lock():
        running = status()
        pid = running.pid if running else _unresponsive_server_pid()
        if pid is None:
            return None
        try:
            process = psutil.Process(pid)
            process.terminate()
            if not _ended(process, timeout):
                process.kill()
                _ended(process, timeout)
        except psutil.NoSuchProcess:
            pass
        forget_state(pid)
        return pid


def reset() -> ServerStatus | None:
    """Clear moto's state and the jobs' work folders; return the server, or None if not running."""
    running = status()
    if running:
        request = urllib.request.Request(running.url + "/moto-api/reset", method="POST")
        with _opener.open(request, timeout=30):
            pass
    folder = work_dir()
    if folder.exists():
        for child in folder.iterdir():
            _remove(child)
    return running


def log(lines: int = 50) -> str:
    """The last ``lines`` lines of the server's log ("" when there is no log yet)."""
    try:
        with server_log_file().open(errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except FileNotFoundError:
        return ""


def _warn_if_stale(running: ServerStatus) -> None:
    if running.code != code_fingerprint():
        warnings.warn(f"The local server (pid {running.pid}) runs older kit code than the one installed here. "
                      "To use the new code, restart it: `mlops-kit server stop` (its AWS resources are lost; "
                      "the labs re-create what they need), then run your cell again.",
                      StaleServerWarning, stacklevel=3)


def _ended(process: psutil.Process, timeout: float) -> bool:
    """Wait for the process to end; a zombie counts (ended, waiting for its parent to reap it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                with suppress(psutil.Error, ChildProcessError):
                    process.wait(0)  # reaps it when this process started it
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def _unresponsive_server_pid() -> int | None:
    """The pid in the state file when that process is still the kit's server (hung, or stopping)."""
    try:
        pid = json.loads(server_state_file().read_text())["pid"]
        command_line = psutil.Process(pid).cmdline()
    except (OSError, ValueError, KeyError, TypeError, psutil.Error):
        return None
    return pid if "mlops_kit.local.server.app" in command_line else None


def _spawn(port: int) -> subprocess.Popen:
    log_file = server_log_file()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    if log_file.exists() and log_file.stat().st_size > LOG_ROTATE_BYTES:
        os.replace(log_file, log_file.with_suffix(".log.1"))
    if os.name == "nt":
        detach = {"creationflags": subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP}
    else:
        detach = {"start_new_session": True}
    with log_file.open("ab") as log_handle:
        return subprocess.Popen(
            [sys.executable, "-m", "mlops_kit.local.server.app", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=log_handle, stderr=subprocess.STDOUT,
            cwd=log_file.parent, env=os.environ | {"PYTHONUNBUFFERED": "1"}, **detach,
        )


def _wait_until_ready(process: subprocess.Popen, port: int, timeout: float) -> ServerStatus:
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = probe(url, timeout=1.0)
        if running:
            return running
        code = process.poll()
        if code == EXIT_PORT_IN_USE:
            raise PortInUseError(_port_in_use_message(port))
        if code is not None:
            raise ServerStartError(f"The local server exited with code {code} while starting. "
                                   f"Its log ({server_log_file()}) ends with:\n{log(20)}")
        time.sleep(0.1)
    process.kill()
    raise ServerStartError(f"The local server did not answer on {url} within {timeout:.0f} s, so it was stopped. "
                           f"Its log ({server_log_file()}) ends with:\n{log(20)}")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        if os.name != "nt":  # as werkzeug binds: ignore connections lingering in TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _port_in_use_message(port: int) -> str:
    other = next((candidate for candidate in range(port + 1, port + 50) if _port_is_free(candidate)), port + 1)
    return (f"Port {port} on {HOST} is in use by another program, not the kit's local server. "
            f"Stop that program, or pick another port: set the environment variable {PORT_ENV} "
            f"(for example {PORT_ENV}={other}, or os.environ['{PORT_ENV}'] = '{other}' before start_session()), "
            f"or run `mlops-kit server start --port {other}`.")


def record_state(description: dict) -> None:
    """Write the state file that lets any kernel find the server (memory is not a state)."""
    state = {key: value for key, value in description.items() if key != "rss_bytes"}
    write_atomically(server_state_file(), json.dumps(state, indent=2))


def forget_state(pid: int) -> None:
    """Remove the state file if it still names ``pid`` (the server removes it itself on a clean stop)."""
    path = server_state_file()
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def _remove(path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def _machine_lock():
    """Exclusive lock on ``server_lock_file()``, released when this process closes it or dies."""
    path = server_lock_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if os.name == "nt":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after 10 s; keep waiting like flock does
                    continue
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
