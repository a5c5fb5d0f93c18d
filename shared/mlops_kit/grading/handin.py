"""What a learner hands in for a lab, written as one file, as otter-grader's export does.

A lab whose work is only its notebook is handed in as the notebook. A lab whose learner
also edits files of its support folder (lab 2's package and tests) declares them in its
checks module as ``HAND_IN = HandIn("lab2-pipeline", ("pipelines/credit/*.py", ...))``;
its submission is a zip holding the notebook, those files, and ``manifest.json`` with
each file's SHA-256, so that the grader can grade it wherever it lies.

Everything else in the support folder (``conftest.py``, ``pytest.ini``, ...) is never
taken from a submission: the grader uses the kit's own copy (see ``kit_lab_folder``).
"""

from __future__ import annotations

import datetime
import fnmatch
import hashlib
import importlib.metadata
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import mlops_kit
from mlops_kit.grading.registry import lab_module
from mlops_kit.project import repo_root

MANIFEST = "manifest.json"
FORMAT = "mlops-kit-submission/1"
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


class HandInError(Exception):
    """A submission that cannot be written; the message says what to do."""


@dataclass(frozen=True)
class HandIn:
    """The support folder (named like the lab's notebook) and the files in it the learner edits.

    ``kit_copy`` is where the kit's copy of the folder lies when it is not the repository's
    ``labs/<folder>`` (a course's own lab package, the tests' fixture lab).
    """

    folder: str
    patterns: tuple[str, ...]
    kit_copy: Path | None = None

    def describe(self) -> str:
        return ", ".join(f"{self.folder}/{pattern}" for pattern in self.patterns)

    def matches(self, relative: str) -> bool:
        """True for a path inside the folder (``pipelines/credit/pipeline.py``) the learner hands in."""
        parts = relative.split("/")
        if SKIPPED_PARTS & set(parts) or any(part.startswith(".") for part in parts):
            return False
        return any(fnmatch.fnmatchcase(relative, pattern) for pattern in self.patterns)


def lab_hand_in(lab: str) -> HandIn | None:
    """The lab's ``HAND_IN``, or None when its notebook is all it hands in."""
    return getattr(lab_module(lab), "HAND_IN", None)


def kit_lab_folder(hand_in: HandIn) -> Path:
    """The kit's copy of the support folder as learners get it (``labs/<folder>``): the base
    every submission is graded on, so that files a learner must not change come from the kit."""
    folder = hand_in.kit_copy or repo_root(Path(mlops_kit.__file__).parent) / "labs" / hand_in.folder
    if not folder.is_dir():
        raise HandInError(f"The kit's copy of {hand_in.folder}/ is missing ({folder}): "
                          "run `./workshop generate-labs` in the workshop repository.")
    return folder


def support_files(hand_in: HandIn, folder: Path) -> dict[str, Path]:
    """``<folder name>/<path>`` -> file, for every file of ``folder`` the learner hands in."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and hand_in.matches(relative):
            found[f"{hand_in.folder}/{relative}"] = path
    return found


def submission_path(notebook: Path, out: Path | None = None) -> Path:
    """Where the submission goes: ``<notebook stem>-submission.zip`` beside the notebook, or ``out``."""
    return out or notebook.with_name(f"{notebook.stem}-submission.zip")


def write_submission(notebook: Path, lab: str, out: Path | None = None) -> tuple[Path, list[str]]:
    """Write the lab's submission for ``notebook``; returns its path and the files in it.

    A lab without ``HAND_IN`` still gets a zip (notebook and manifest) so that every lab
    is handed in the same way; the grader also accepts the bare notebook.
    """
    hand_in = lab_hand_in(lab)
    members = {notebook.name: notebook}
    if hand_in is not None and hand_in.patterns:
        folder = notebook.parent / hand_in.folder
        if not folder.is_dir():
            raise HandInError(f"{folder} is missing: lab {lab}'s submission holds the files you edited in "
                              f"{hand_in.folder}/ ({hand_in.describe()}). Run this from the folder that holds "
                              f"{notebook.name} and {hand_in.folder}/.")
        members.update(support_files(hand_in, folder))
    target = submission_path(notebook, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    contents = {name: path.read_bytes() for name, path in members.items()}
    manifest = {"format": FORMAT, "lab": lab, "notebook": notebook.name,
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "kit_version": importlib.metadata.version("mlops-kit"),
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}}
    partial = target.with_name(f".{target.name}.partial")  # a crash never leaves a half-written submission
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for name, data in contents.items():
            archive.writestr(name, data)
    partial.replace(target)
    return target, list(contents)
