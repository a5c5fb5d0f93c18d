"""Run a processing job's Python script in a child interpreter and keep what it printed.

The child is the server's own Python (`sys.executable`, the kit's environment: pandas,
scikit-learn, xgboost, as in the scikit-learn and XGBoost images), started through
`container_paths` so `/opt/ml` maps to the job's folder. Its output goes line by line to
the job's log; the end of it explains a failure.
"""

import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..jobs.container_paths import CONTAINER_ROOT

_PYTHON = re.compile(r"^(?:.*/)?python(?:3(?:\.\d+)?)?$")
_TAIL_LINES = 60
_SUMMARY_LINES = 5
_WATCH_SECONDS = 0.2


@dataclass
class ScriptCommand:
    """`python3 [-u ...] SCRIPT ARG...`, taken from ContainerEntrypoint + ContainerArguments."""

    script: str
    arguments: list[str]


def parse_command(entrypoint: list[str] | None, arguments: list[str] | None) -> ScriptCommand:
    """Find the script in the container command; ValueError says what to write instead."""
    words = [*(entrypoint or []), *(arguments or [])]
    if not words or not _PYTHON.match(words[0]):
        raise ValueError(
            f"the container command {words or '(none)'} does not run a Python script. The local "
            "backend runs `python3 <script>` only: use ScriptProcessor(command=['python3'], ...) "
            "and run(code='your_script.py')."
        )
    rest = words[1:]
    while rest and rest[0].startswith("-") and rest[0] not in ("-m", "-c"):
        rest = rest[1:]  # interpreter flags such as -u
    if not rest or rest[0] in ("-m", "-c"):
        raise ValueError(f"the container command {words} runs no script file: pass code='script.py'.")
    return ScriptCommand(script=rest[0], arguments=rest[1:])


@dataclass
class ScriptResult:
    exit_code: int
    tail: list[str]
    timed_out: bool = False

    def error_summary(self) -> str:
        """The learner's line and the exception of the last traceback, else the last output.

        As on AWS the script's own frame (a `/opt/ml/...` path) is what the learner can fix;
        library frames below it are left to the full log.
        """
        lines = [line.rstrip() for line in self.tail if line.strip()]
        starts = [index for index, line in enumerate(lines) if line.startswith("Traceback (most recent")]
        if not starts:
            return "\n".join(lines[-_SUMMARY_LINES:])
        block = lines[starts[-1]:]
        frames = [index for index, line in enumerate(block) if line.startswith('  File "')]
        if not frames:
            return "\n".join(block[-_SUMMARY_LINES:])
        script_frames = [index for index in frames if f'"{CONTAINER_ROOT}/' in block[index]]
        chosen = script_frames[-1] if script_frames else frames[-1]
        picked = [block[chosen]]
        if chosen + 1 < len(block) and block[chosen + 1].startswith("    "):
            picked.append(block[chosen + 1])
        exception = [line for line in block[frames[-1] + 1:] if not line.startswith(" ")]
        return "\n".join(picked + exception)


def run(command: ScriptCommand, local_root: Path, cwd: Path, environment: dict[str, str],
        emit: Callable[[str], None], should_stop: Callable[[], bool] = lambda: False,
        max_seconds: float | None = None) -> ScriptResult:
    """Run the script to its end, passing each output line (container paths restored) to emit.

    The script is killed when ``should_stop()`` turns true (StopProcessingJob) or after
    ``max_seconds`` (StoppingCondition.MaxRuntimeInSeconds); ``timed_out`` tells which.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "mlops_kit.local.jobs.container_paths", str(local_root),
         command.script, *command.arguments],
        cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, errors="replace", bufsize=1,
    )
    timed_out = threading.Event()
    threading.Thread(target=_watch, args=(process, should_stop, max_seconds, timed_out),
                     daemon=True).start()
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    real_root = str(local_root)
    for raw in process.stdout:
        line = raw.rstrip("\n").replace(real_root, CONTAINER_ROOT)
        tail.append(line)
        emit(line)
    return ScriptResult(exit_code=process.wait(), tail=list(tail), timed_out=timed_out.is_set())


def _watch(process: subprocess.Popen, should_stop, max_seconds, timed_out: threading.Event) -> None:
    deadline = time.monotonic() + max_seconds if max_seconds else None
    while process.poll() is None:
        if deadline is not None and time.monotonic() > deadline:
            timed_out.set()
        if timed_out.is_set() or should_stop():
            process.kill()
            return
        time.sleep(_WATCH_SECONDS)


def child_environment(job_environment: dict[str, str] | None, endpoint_url: str | None,
                      region: str) -> dict[str, str]:
    """The server's environment, AWS pointed at this server, then the job's own variables.

    The server's own AWS_* settings (a profile, real keys) are dropped: a script that calls
    boto3 reaches this server with dummy credentials, as its role would on AWS.
    """
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(PYTHONUNBUFFERED="1", AWS_DEFAULT_REGION=region, AWS_REGION=region,
                       AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    if endpoint_url:
        environment["AWS_ENDPOINT_URL"] = endpoint_url
    environment.update(job_environment or {})
    return environment
