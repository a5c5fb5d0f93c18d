"""What a build runs in: a fresh Python environment, as a fresh container would be, and the
variables CodeBuild sets.

Offline differences (printed in the build's log, never hidden):
- the build's Python is the kit's (``runtime-versions`` is not installed);
- ``pip`` installs from the packages already in the kit's environment, with no index: the
  build's virtual environment sees them (a ``.pth`` file) and installs into itself, so a
  ``pip install .`` of a project whose requirements the kit has works, and its console
  scripts land on the build's PATH; anything else fails as pip does with no index;
- ``aws`` is the AWS CLI v1 the workshop installs beside its environment (``.venv/awscli``).
"""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from ..environment import local_environment

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
AWSCLI_FOLDER = Path(sys.prefix) / "awscli"  # installed by ./workshop from requirements-awscli.txt
OFFLINE_PIP = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",  # "0" turns isolation off (pip inverts no- options)
               "PIP_DISABLE_PIP_VERSION_CHECK": "1",
               "PIP_NO_WARN_SCRIPT_LOCATION": "1"}
PIP_WRAPPER = '#!/bin/sh\nexec "{python}" -m pip "$@"\n'
AWS_WRAPPER = '#!/bin/sh\nPYTHONPATH="{awscli}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{python}" -m awscli "$@"\n'


class EnvironmentVariableError(ValueError):
    """A variable the local runner cannot resolve (Parameter Store, Secrets Manager)."""


def make_build_python(folder: Path) -> Path:
    """A virtual environment for one build that sees the kit's packages; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
    bin_folder = folder / "bin"
    python = bin_folder / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    kit_packages = sysconfig.get_paths()["purelib"]
    Path(purelib, "mlops_kit_environment.pth").write_text(f"import site; site.addsitedir({kit_packages!r})\n")
    _script(bin_folder / "pip", PIP_WRAPPER.format(python=python))
    _script(bin_folder / "pip3", PIP_WRAPPER.format(python=python))
    if AWSCLI_FOLDER.is_dir():
        _script(bin_folder / "aws", AWS_WRAPPER.format(awscli=AWSCLI_FOLDER, python=python))
    return bin_folder


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def project_variables(items: list[dict] | None) -> dict[str, str]:
    """CodeBuild's environmentVariables (PLAINTEXT only, offline)."""
    variables = {}
    for item in items or []:
        kind = item.get("type", "PLAINTEXT")
        if kind != "PLAINTEXT":
            raise EnvironmentVariableError(
                f"Environment variable {item['name']} has type {kind}: the local backend has no Parameter Store "
                "or Secrets Manager values for builds; use type PLAINTEXT.")
        variables[item["name"]] = item.get("value", "")
    return variables


def build_environment(*, endpoint_url: str, region: str, home: Path, bin_folder: Path, codebuild: dict[str, str],
                      buildspec: dict[str, str], project: dict[str, str]) -> dict[str, str]:
    """The variables a command sees: precedence buildspec < project and build overrides, as on AWS."""
    return {
        "PATH": f"{bin_folder}:{SYSTEM_PATH}", "HOME": str(home), "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONUNBUFFERED": "1", **OFFLINE_PIP, "VIRTUAL_ENV": str(bin_folder.parent),
        **local_environment(endpoint_url, region), "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
        **buildspec, **project, **codebuild,
    }
