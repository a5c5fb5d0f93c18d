"""Check results as plain data (JSON-friendly), and how a notebook shows them."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field, fields

STATUSES = ("passed", "failed", "error")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """`text` without terminal colour codes (a subprocess's output quoted in a message)."""
    return ANSI_ESCAPE.sub("", text)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: `status` is passed, failed, or error (the check itself crashed)."""

    check: str
    lab: str
    exercise: str
    status: str
    message: str
    hint: str
    points: float
    possible: float
    hidden: bool = False
    note: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {self.status!r}")
        for name in ("message", "hint"):  # quoted tool output must not carry colour codes into reports
            object.__setattr__(self, name, strip_ansi(getattr(self, name)))

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


SYMBOLS = {"passed": "✔", "failed": "✘", "error": "⚠"}
COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#9a6700"}


def _inline_code(text: str) -> str:
    """Escape `text` for HTML, showing `backticked` names as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


@dataclass
class ExerciseReport:
    """The results of one check cell, shown inline in the notebook (HTML) or as plain text.

    `check()` shows the report wherever it is called in a cell; when the call is also
    the cell's last expression, IPython echoes the returned report, and `show()` makes
    sure that echo does not print it a second time.
    """

    exercise: str
    results: tuple[CheckResult, ...]
    _echo_pending: bool = field(default=False, repr=False, compare=False)

    @property
    def points(self) -> float:
        return sum(result.points for result in self.results)

    @property
    def possible(self) -> float:
        return sum(result.possible for result in self.results)

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def show(self) -> None:
        """Display the report now, and skip IPython's echo of it at the end of the cell."""
        self._publish()
        self._echo_pending = True

    def _ipython_display_(self) -> None:
        if self._echo_pending:
            self._echo_pending = False
            return
        self._publish()

    def _publish(self) -> None:
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)

    def __repr__(self) -> str:
        lines = [f"{self.exercise}: {format_points(self.points)}/{format_points(self.possible)} points"]
        for result in self.results:
            lines.append(f"  {SYMBOLS[result.status]} {result.check} {result.status} "
                         f"({format_points(result.points)}/{format_points(result.possible)}): {result.message}")
            if result.hint:
                lines.append(f"      hint: {result.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for result in self.results:
            colour = COLOURS[result.status]
            hint = f"<div><em>Hint:</em> {_inline_code(result.hint)}</div>" if result.hint else ""
            rows.append(
                f'<li style="list-style:none;margin:0.3em 0">'
                f'<span style="color:{colour};font-weight:bold">{SYMBOLS[result.status]} {result.status}</span> '
                f"<code>{html.escape(result.check)}</code> "
                f"({format_points(result.points)}/{format_points(result.possible)} points)"
                f"<div>{_inline_code(result.message)}</div>{hint}</li>"
            )
        colour = COLOURS["passed" if self.passed else "failed"]
        return (
            f'<div class="mlops-kit-check" style="border-left:4px solid {colour};padding-left:0.6em">'
            f"<strong>{html.escape(self.exercise)}</strong>: "
            f"{format_points(self.points)}/{format_points(self.possible)} points"
            f'<ul style="padding-left:0">{"".join(rows)}</ul></div>'
        )


def format_points(value: float) -> str:
    """Points without a trailing `.0` (2, not 2.0; 1.5 stays 1.5)."""
    return f"{value:g}"
