"""Keep labs/ equal to what solutions/ generates: compare, report, write, remove.

labs/ is entirely generated, so anything there that solutions/ does not produce is
orphaned (except junk such as __pycache__ that running a lab leaves behind).
"""

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .render import is_junk, render_labs, shown

REGENERATE = "run `./workshop generate-labs`"


@dataclass(frozen=True)
class LabChanges:
    """What generation would do; paths are relative to labs/ (and equally to solutions/)."""

    solutions_dir: Path
    labs_dir: Path
    rendered: dict[PurePosixPath, bytes]
    missing: list[PurePosixPath]
    stale: list[PurePosixPath]
    orphaned: list[PurePosixPath]

    def reasons(self) -> list[str]:
        def lab(relative):
            return shown(self.labs_dir / relative)

        def solution(relative):
            return shown(self.solutions_dir / relative)

        return (
            [f"{lab(path)} is missing; it is generated from {solution(path)} — {REGENERATE}" for path in self.missing]
            + [f"{lab(path)} is out of date with {solution(path)} — {REGENERATE}" for path in self.stale]
            + [
                f"{lab(path)} is orphaned: {solution(path)} does not exist — {REGENERATE} to remove it"
                for path in self.orphaned
            ]
        )


def _existing_lab_files(labs_dir: Path) -> set[PurePosixPath]:
    if not labs_dir.is_dir():
        return set()
    relatives = (PurePosixPath(path.relative_to(labs_dir).as_posix()) for path in labs_dir.rglob("*") if path.is_file())
    return {relative for relative in relatives if not is_junk(relative)}


def diff_labs(solutions_dir: Path, labs_dir: Path) -> LabChanges:
    """Render every lab in memory and compare it, byte for byte, with labs/."""
    rendered = render_labs(solutions_dir)
    existing = _existing_lab_files(labs_dir)
    return LabChanges(
        solutions_dir=solutions_dir,
        labs_dir=labs_dir,
        rendered=rendered,
        missing=sorted(path for path in rendered if path not in existing),
        stale=sorted(path for path in rendered if path in existing and (labs_dir / path).read_bytes() != rendered[path]),
        orphaned=sorted(existing - rendered.keys()),
    )


def _remove_emptied_folders(labs_dir: Path, orphaned: list[PurePosixPath]) -> None:
    """Delete folders that held orphans and now hold only junk (say, a retired lab's __pycache__)."""
    folders = {labs_dir / parent for relative in orphaned for parent in relative.parents if parent.parts}
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        if folder.is_dir() and not _existing_lab_files(folder):
            shutil.rmtree(folder)


def apply_changes(changes: LabChanges) -> list[Path]:
    """Write missing and stale labs, delete orphaned ones; return the files written."""
    written = []
    for relative in changes.missing + changes.stale:
        target = changes.labs_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(changes.rendered[relative])
        written.append(target)
    for relative in changes.orphaned:
        (changes.labs_dir / relative).unlink()
    _remove_emptied_folders(changes.labs_dir, changes.orphaned)
    return sorted(written)


def generate_labs(solutions_dir: Path, labs_dir: Path) -> list[Path]:
    """Make labs/ match solutions/; files already current are left untouched and not returned."""
    return apply_changes(diff_labs(Path(solutions_dir), Path(labs_dir)))


def find_stale_labs(solutions_dir: Path, labs_dir: Path) -> list[str]:
    """One human-readable reason per missing, out-of-date or orphaned lab file; empty when labs/ is current."""
    return diff_labs(Path(solutions_dir), Path(labs_dir)).reasons()
