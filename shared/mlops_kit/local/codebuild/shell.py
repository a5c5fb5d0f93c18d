"""The build's shell: each command in bash, with what earlier commands exported and where
they ``cd``-ed carried to the next, as buildspec version 0.2 runs every command of every
phase in one shell.

Carried between commands: exported variables and the working folder (the runner's own
CODEBUILD_BUILD_SUCCEEDING always wins: it turns 0 after a failed phase). A variable set
without ``export`` lasts for its own command only (a difference the book states).
"""

import os
import signal
import subprocess
import threading
from pathlib import Path

WRAPPER = """\
set +e
. "$MLOPS_KIT_ENV_FILE" 2>/dev/null
export CODEBUILD_BUILD_SUCCEEDING="$MLOPS_KIT_BUILD_SUCCEEDING"
cd "$(cat "$MLOPS_KIT_CWD_FILE")"
. "$MLOPS_KIT_COMMAND_FILE"
status=$?
export -p | grep -v '^declare -x MLOPS_KIT_' > "$MLOPS_KIT_ENV_FILE.next"
mv "$MLOPS_KIT_ENV_FILE.next" "$MLOPS_KIT_ENV_FILE"
pwd > "$MLOPS_KIT_CWD_FILE"
exit $status
"""


class BuildShell:
    """Runs commands one by one in ``folder`` with ``environment``; output goes to ``write``."""

    def __init__(self, state: Path, folder: Path, environment: dict[str, str]):
        state.mkdir(parents=True, exist_ok=True)
        self.files = {"MLOPS_KIT_ENV_FILE": state / "env.sh", "MLOPS_KIT_CWD_FILE": state / "cwd",
                      "MLOPS_KIT_COMMAND_FILE": state / "command.sh"}
        self.files["MLOPS_KIT_ENV_FILE"].write_text("")
        self.files["MLOPS_KIT_CWD_FILE"].write_text(str(folder))
        self.environment = environment
        self.process: subprocess.Popen | None = None
        self.stopped = threading.Event()

    def run(self, command: str, write, timeout: float | None) -> int:
        """The command's exit status (124 when it ran past ``timeout`` seconds, -15 when stopped)."""
        self.files["MLOPS_KIT_COMMAND_FILE"].write_text(command + "\n")
        environment = {**self.environment, **{name: str(path) for name, path in self.files.items()},
                       "MLOPS_KIT_BUILD_SUCCEEDING": self.environment.get("CODEBUILD_BUILD_SUCCEEDING", "1")}
        self.process = subprocess.Popen(["bash", "-c", WRAPPER], env=environment, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        errors="replace", start_new_session=True)
        timed_out = threading.Event()

        def expire():
            timed_out.set()
            self._kill()

        timer = threading.Timer(timeout, expire) if timeout else None
        if timer:
            timer.start()
        try:
            for line in self.process.stdout:
                write(line.rstrip("\n"))
            status = self.process.wait()
        finally:
            if timer:
                timer.cancel()
        if self.stopped.is_set():
            return -15
        return 124 if timed_out.is_set() else status

    def stop(self) -> None:
        self.stopped.set()
        self._kill()

    def _kill(self) -> None:
        """The command and everything it started (its own process group)."""
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
