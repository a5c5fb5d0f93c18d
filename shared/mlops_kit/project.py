"""Where the workshop's folders are, found from any working directory inside the repository."""

from pathlib import Path


class NotInWorkshopError(RuntimeError):
    pass


def repo_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding `_config.yml` and `solutions/`."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "_config.yml").is_file() and (folder / "solutions").is_dir():
            return folder
    raise NotInWorkshopError(
        f"{start} is not inside the workshop repository (no _config.yml with a solutions/ folder "
        "above it): run the command from the repository, or pass the folders explicitly."
    )


def solution_notebooks(root: Path) -> list[Path]:
    """Every lab's solution, in lab order (the file names start with lab0, lab1, ...)."""
    return sorted((root / "solutions").glob("lab*.ipynb"))
