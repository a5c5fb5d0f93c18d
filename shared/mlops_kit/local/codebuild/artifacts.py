"""The buildspec's ``artifacts`` as CodeBuild packs them: the matching files in one zip.

``files`` are globs relative to ``base-directory`` (default: the source folder), with
``**/*`` for everything below; ``$VARIABLES`` in them are the build's. ``discard-paths:
yes`` keeps only file names. A pattern that matches nothing fails the upload with
CodeBuild's message ("no matching artifact paths found").
"""

import io
import re
import zipfile
from pathlib import Path

VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


class ArtifactsError(Exception):
    """UPLOAD_ARTIFACTS fails with this message (status code CLIENT_ERROR)."""


def collect(artifacts: dict, source: Path, environment: dict[str, str]) -> dict[str, Path]:
    """Name in the zip -> file, for every file the section names."""
    base = source / _expand(artifacts.get("base-directory") or ".", environment)
    discard = str(artifacts.get("discard-paths", "no")).lower() in ("yes", "true")
    found: dict[str, Path] = {}
    for pattern in artifacts.get("files", []):
        expanded = _expand(str(pattern), environment)
        matches = [path for path in base.glob(expanded) if path.is_file()] if expanded else []
        if not matches:
            raise ArtifactsError(f"CLIENT_ERROR: no matching artifact paths found: {pattern!r} "
                                 f"(as {expanded!r} under {base.relative_to(source) if base != source else '.'})")
        for path in sorted(matches):
            found[path.name if discard else path.relative_to(base).as_posix()] = path
    return found


def _expand(text: str, environment: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` from the build's variables (unknown ones left as written, as the shell would not)."""
    return VARIABLE.sub(lambda match: environment.get(match.group(1) or match.group(2), match.group(0)), text)


def zipped(files: dict[str, Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files.items():
            archive.write(path, name)
    return buffer.getvalue()
