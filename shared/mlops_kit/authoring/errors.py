"""The one error an author can make while writing a solution, with where it happened."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where an authoring mistake sits: the file as shown to the author, and the cell for notebooks.

    ``cell_index`` counts from 0, as papermill and nbformat do; lines count from 1.
    """

    source: str
    cell_index: int | None = None

    def at(self, line: int | None = None) -> str:
        parts = [self.source]
        if self.cell_index is not None:
            parts.append(f"cell index {self.cell_index}")
        if line is not None:
            parts.append(f"line {line}")
        return ", ".join(parts)


class AuthoringError(ValueError):
    """A solution that cannot become a lab; the message says where and what to change."""

    def __init__(self, location: Location, problem: str, line: int | None = None):
        self.location = location
        self.line = line
        self.problem = problem
        super().__init__(f"{location.at(line)}: {problem}")
