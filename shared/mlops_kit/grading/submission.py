"""Reading a submission: its exact bytes, the notebook in them, and which lab it is.

Everything that can be wrong with the file itself is found here, before any kernel
starts, and reported as a `SubmissionError` whose message says what to do.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_kit.grading.registry import UnknownCheck, lab_checks

METADATA_EXAMPLE = '"workshop": {"lab": "lab0", "kind": "lab", "title": "..."}'
SIGNATURES = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"%PDF": "a PDF document",
              b"PK\x03\x04": "a zip archive"}


class SubmissionError(Exception):
    """A submission that cannot be graded; the message names the file and what to do."""


@dataclass(frozen=True)
class Submission:
    path: Path
    content: bytes
    notebook: nbformat.NotebookNode
    lab: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def load_submission(path: Path) -> Submission:
    """Read and identify `path`, or raise SubmissionError saying why it cannot be graded."""
    if not path.exists():
        raise SubmissionError(f"{path}: no such file. Check the path (grade takes notebooks or folders of them).")
    if path.is_dir():
        raise SubmissionError(f"{path}: is a folder with no notebooks (*.ipynb) in it.")
    content = path.read_bytes()
    notebook = parse_notebook(path, content)
    lab = notebook_lab(path, notebook)
    return Submission(path, content, notebook, lab)


def parse_notebook(path: Path, content: bytes) -> nbformat.NotebookNode:
    kind = next((name for signature, name in SIGNATURES.items() if content.startswith(signature)), None)
    if kind:
        raise SubmissionError(f"{path}: is not a notebook but {kind}. Submit the lab's .ipynb file.")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path}: is not a notebook (not UTF-8 text). Submit the lab's .ipynb file.") from None
    if not text.lstrip().startswith("{"):
        raise SubmissionError(
            f"{path}: is not a notebook (a .ipynb file is JSON starting with '{{'; this looks like "
            f"{'a Python script' if path.suffix == '.py' else 'plain text'}). Submit the lab's .ipynb file."
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SubmissionError(
            f"{path}: is a corrupted notebook (invalid JSON at line {error.lineno}, column {error.colno}: "
            f"{error.msg}; the file may be truncated). Re-download or re-save it from Jupyter."
        ) from None
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        raise SubmissionError(f"{path}: is JSON but not a Jupyter notebook (no 'cells'/'nbformat'). "
                              "Submit the lab's .ipynb file.")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises several kinds for malformed notebooks
        raise SubmissionError(f"{path}: is not a valid notebook ({error}). Re-save it from Jupyter.") from None


def notebook_lab(path: Path, notebook: nbformat.NotebookNode) -> str:
    workshop = notebook.metadata.get("workshop")
    lab = workshop.get("lab") if isinstance(workshop, dict) else None
    if not lab:
        raise SubmissionError(
            f"{path}: has no workshop lab metadata, so the grader cannot tell which lab it is. Add "
            f"{METADATA_EXAMPLE} to the notebook's metadata (JupyterLab: Property Inspector > Notebook "
            "metadata), or copy your answers into a fresh copy of the lab from labs/."
        )
    try:
        lab_checks(lab)
    except UnknownCheck as error:
        raise SubmissionError(f"{path}: metadata names lab {lab!r}, which the grader does not know. {error}") from None
    return lab
