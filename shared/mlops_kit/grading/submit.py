"""Handing in a lab: `submit("lab2")` as a lab's last cell, or `mlops-kit submit lab2`.

Both write ``<notebook>-submission.zip`` (see `handin`) beside the notebook and print
what is in it. The notebook is taken as saved on disk: the learner saves first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlops_kit.grading.handin import HandInError, lab_hand_in, write_submission
from mlops_kit.grading.registry import UnknownCheck, lab_checks
from mlops_kit.project import NotInWorkshopError, repo_root


def find_notebook(lab: str, folder: Path) -> Path:
    """The notebook of `lab` in `folder` (by its workshop metadata), the most recently saved if several."""
    found = [path for path in folder.glob("*.ipynb") if _lab_of(path) == lab]
    if not found:
        raise HandInError(f"No notebook of {lab} in {folder.resolve()}: run this where the lab's notebook is, "
                          "or pass the notebook's path.")
    return max(found, key=lambda path: path.stat().st_mtime)


def _lab_of(path: Path) -> str | None:
    try:
        workshop = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("workshop", {})
    except (OSError, ValueError, AttributeError):
        return None
    return workshop.get("lab") if isinstance(workshop, dict) else None


def submit(lab: str, notebook: str | Path | None = None, out: str | Path | None = None) -> None:
    """Write the submission of `lab` and say what to hand in (it prints the zip's name: a
    notebook's last cell shows no return value)."""
    lab_checks(lab)  # an unknown lab id fails here, with the list of known labs
    path = Path(notebook) if notebook else find_notebook(lab, Path.cwd())
    target, members = write_submission(path, lab, Path(out) if out else None)
    hand_in = lab_hand_in(lab)
    print(f"Wrote {target.name}: {path.name}"
          + (f" and {len(members) - 1} files of {hand_in.folder}/" if hand_in else "") + ".")
    for member in members[1:]:
        print(f"  {member}")
    print(f"Hand in this one file. It holds {path.name} as last saved: save the notebook before this cell.")


def main(argv: list[str] | None = None) -> int:
    """`mlops-kit submit LAB`: the lab's notebook in labs/ (or --notebook) and its edited files, zipped."""
    parser = argparse.ArgumentParser(prog="mlops-kit submit", description=main.__doc__)
    parser.add_argument("lab", help="the lab to hand in, e.g. lab2")
    parser.add_argument("--notebook", type=Path, help="the notebook (default: the lab's notebook in labs/)")
    parser.add_argument("--out", type=Path, help="the zip to write (default: beside the notebook)")
    args = parser.parse_args(argv)
    try:
        notebook = args.notebook or find_notebook(args.lab, _labs_folder())
        submit(args.lab, notebook, args.out)
    except (HandInError, UnknownCheck, NotInWorkshopError) as error:
        print(f"mlops-kit submit: {error}", file=sys.stderr)
        return 2
    return 0


def _labs_folder() -> Path:
    try:
        return repo_root() / "labs"
    except NotInWorkshopError:
        return Path.cwd()
