"""Reading a submission: its exact bytes, the notebook in them, which lab it is, and the
support files it hands in (a zip made by `handin.write_submission`, or a bare notebook).

Everything that can be wrong with the file itself is found here, before any kernel
starts, and reported as a `SubmissionError` whose message says what to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from mlops_kit.grading.handin import FORMAT, MANIFEST, lab_hand_in
from mlops_kit.grading.registry import UnknownCheck, lab_checks

METADATA_EXAMPLE = '"workshop": {"lab": "lab0", "kind": "lab", "title": "..."}'
ZIP_SIGNATURE = b"PK\x03\x04"
SIGNATURES = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"%PDF": "a PDF document"}


class SubmissionError(Exception):
    """A submission that cannot be graded; the message names the file and what to do."""


@dataclass(frozen=True)
class Submission:
    path: Path
    content: bytes
    notebook: nbformat.NotebookNode
    lab: str
    files: dict[str, bytes] = field(default_factory=dict)  # "<support folder>/<path>" -> content
    notes: tuple[str, ...] = ()  # what the grader must tell the instructor about the hand-in

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
    if content.startswith(ZIP_SIGNATURE):
        return load_zip_submission(path, content)
    notebook = parse_notebook(path, content)
    lab = notebook_lab(path, notebook)
    hand_in = lab_hand_in(lab)
    notes = ()
    if hand_in is not None and hand_in.patterns:
        notes = (f"this lab's submission must include {hand_in.describe()}: a notebook alone cannot carry them. "
                 f"Make it with `./workshop submit {lab}` (or the lab's last cell, `submit(\"{lab}\")`); "
                 "this notebook was graded with the lab's starting files instead.",)
    return Submission(path, content, notebook, lab, notes=notes)


def load_zip_submission(path: Path, content: bytes) -> Submission:
    """A zip made by `./workshop submit`: its manifest, checksums, notebook and hand-in files."""
    remake = "Make it again with `./workshop submit <lab>` (or the lab's last cell) and hand in that file."
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise SubmissionError(f"{path}: is a corrupted zip ({error}). {remake}") from None
    if MANIFEST not in members:
        raise SubmissionError(f"{path}: is a zip but not a workshop submission (it has no {MANIFEST}). {remake}")
    try:
        manifest = json.loads(members[MANIFEST])
        notebook_name, checksums = manifest["notebook"], dict(manifest["files"])
        if manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT!r}")
    except (ValueError, KeyError, TypeError) as error:
        raise SubmissionError(f"{path}: its {MANIFEST} is not readable ({error}). {remake}") from None
    for name, digest in checksums.items():
        if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
            raise SubmissionError(f"{path}: holds {name!r}, a path outside the submission. {remake}")
        if name not in members:
            raise SubmissionError(f"{path}: {MANIFEST} lists {name}, which the zip does not hold. {remake}")
        if hashlib.sha256(members[name]).hexdigest() != digest:
            raise SubmissionError(f"{path}: {name} does not match its checksum in {MANIFEST}: the zip was changed "
                                  f"after it was made. {remake}")
    if notebook_name not in checksums:
        raise SubmissionError(f"{path}: {MANIFEST} names the notebook {notebook_name}, which the zip does not hold. "
                              f"{remake}")
    notebook = parse_notebook(path / notebook_name, members[notebook_name])
    lab = notebook_lab(path, notebook)
    if manifest.get("lab") not in (None, lab):
        raise SubmissionError(f"{path}: {MANIFEST} says lab {manifest['lab']!r} but the notebook is {lab!r}. {remake}")
    hand_in = lab_hand_in(lab)
    files, ignored = {}, []
    for name in checksums:
        if name == notebook_name:
            continue
        folder, _, relative = name.partition("/")
        if hand_in is not None and folder == hand_in.folder and hand_in.matches(relative):
            files[name] = members[name]
        else:
            ignored.append(name)
    notes = (f"ignored {', '.join(ignored)}: not files this lab hands in (the kit's own copies are used)",) \
        if ignored else ()
    return Submission(path, content, notebook, lab, files, notes)


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
