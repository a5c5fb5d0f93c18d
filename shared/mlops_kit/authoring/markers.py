"""Solution and hidden markers: find them, check they pair up, rewrite what they enclose.

Code (cells and .py files) uses ``### BEGIN SOLUTION[: hint]`` / ``### END SOLUTION`` and
``### BEGIN HIDDEN`` / ``### END HIDDEN``; markdown uses ``<!-- BEGIN SOLUTION -->`` /
``<!-- END SOLUTION -->``. Blocks never nest. A line that looks like a marker but is not
one is an error, because ignoring it would leak the solution into the lab.
"""

import io
import json
import re
from dataclasses import dataclass

from .errors import AuthoringError, Location

SOLUTION = "SOLUTION"
HIDDEN = "HIDDEN"
GENERIC_HINT = "write your code here"

_CODE_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)### (?P<edge>BEGIN|END) (?P<kind>SOLUTION|HIDDEN)(?P<hint>:.*)?$"
)
_CODE_LOOKALIKE = re.compile(r"^\s*#+\s*(BEGIN|END)[\s_:-]*(SOLUTION|HIDDEN)")
_CODE_MARKER_HELP = (
    "Write exactly `### BEGIN SOLUTION` (or `### BEGIN SOLUTION: <hint>`), `### END SOLUTION`, "
    "`### BEGIN HIDDEN` or `### END HIDDEN` on a line of its own."
)
_MARKDOWN_MARKER = re.compile(r"<!--[ \t]*(?P<edge>BEGIN|END) SOLUTION[ \t]*-->")
_MARKDOWN_LOOKALIKE = re.compile(r"<!--\s*(begin|end)[\s_:-]*solution", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A marked span of code: first and last marker lines (1-based, inclusive)."""

    kind: str
    first_line: int
    last_line: int
    indent: str
    hint: str


def _lines(source: str) -> list[str]:
    """Split like Python does (\\n, \\r\\n, \\r), keeping line endings."""
    return list(io.StringIO(source, newline=""))


def _code_marker(line: str, number: int, where: Location) -> re.Match | None:
    text = line.rstrip()
    marker = _CODE_MARKER.match(text)
    if marker and marker["hint"] is not None and (marker["edge"], marker["kind"]) != ("BEGIN", SOLUTION):
        raise AuthoringError(where, f"only `### BEGIN SOLUTION` takes a hint, not `{text.strip()}`. {_CODE_MARKER_HELP}", number)
    if marker is None and _CODE_LOOKALIKE.match(text):
        raise AuthoringError(where, f"`{text.strip()}` looks like a marker but is not one. {_CODE_MARKER_HELP}", number)
    return marker


def find_code_blocks(source: str, where: Location) -> list[Block]:
    """All marked blocks of every kind, in order; raise AuthoringError unless they pair up without nesting."""
    blocks: list[Block] = []
    opened: tuple[re.Match, int] | None = None
    for number, line in enumerate(_lines(source), start=1):
        marker = _code_marker(line, number, where)
        if marker is None:
            continue
        if marker["edge"] == "BEGIN":
            if opened:
                outer, outer_line = opened
                raise AuthoringError(
                    where,
                    f"`### BEGIN {marker['kind']}` opens inside the {outer['kind']} block begun at line "
                    f"{outer_line}; blocks cannot nest. Close that block with `### END {outer['kind']}` first.",
                    number,
                )
            opened = (marker, number)
            continue
        if opened is None:
            raise AuthoringError(
                where,
                f"`### END {marker['kind']}` has no `### BEGIN {marker['kind']}` above it. "
                "Add the begin marker where the block starts, or delete this line.",
                number,
            )
        begin, begin_line = opened
        if begin["kind"] != marker["kind"]:
            raise AuthoringError(
                where,
                f"`### END {marker['kind']}` closes the {begin['kind']} block begun at line {begin_line}. "
                f"Use `### END {begin['kind']}`.",
                number,
            )
        hint = (begin["hint"] or ":")[1:].strip() or GENERIC_HINT
        blocks.append(Block(begin["kind"], begin_line, number, begin["indent"], hint))
        opened = None
    if opened:
        begin, begin_line = opened
        raise AuthoringError(
            where,
            f"`### BEGIN {begin['kind']}` is never closed. Add `### END {begin['kind']}` after the block.",
            begin_line,
        )
    return blocks


def _replace_blocks(source: str, blocks: list[Block], replacement) -> str:
    """Swap each block's lines for ``replacement(block, line_ending)``, keeping a missing final newline missing."""
    lines = _lines(source)
    kept: list[str] = []
    position = 0
    for block in blocks:
        kept += lines[position : block.first_line - 1]
        begin_line = lines[block.first_line - 1]
        line_ending = begin_line[len(begin_line.rstrip("\r\n")) :] or "\n"
        kept += replacement(block, line_ending)
        position = block.last_line
    kept += lines[position:]
    result = "".join(kept)
    if source and not source.endswith(("\n", "\r")):
        result = result.removesuffix("\n").removesuffix("\r")
    return result


def remove_hidden_code(source: str, where: Location) -> str:
    """Drop every hidden block, markers included."""
    hidden = [block for block in find_code_blocks(source, where) if block.kind == HIDDEN]
    return _replace_blocks(source, hidden, lambda block, line_ending: [])


def stub_solution_code(source: str, where: Location) -> str:
    """Replace every solution block by a TODO comment and a NotImplementedError carrying its hint."""
    solutions = [block for block in find_code_blocks(source, where) if block.kind == SOLUTION]

    def stub(block: Block, line_ending: str) -> list[str]:
        return [
            f"{block.indent}# TODO: {block.hint}{line_ending}",
            f"{block.indent}raise NotImplementedError({json.dumps(block.hint, ensure_ascii=False)}){line_ending}",
        ]

    return _replace_blocks(source, solutions, stub)



def unwrap_solution_code(source: str, where: Location) -> str:
    """Keep every solution block's code and drop its markers (the answer as the book shows it)."""
    solutions = [block for block in find_code_blocks(source, where) if block.kind == SOLUTION]
    lines = _lines(source)
    return _replace_blocks(source, solutions, lambda block, line_ending: lines[block.first_line : block.last_line - 1])

def comment_solution_code(source: str, where: Location) -> str:
    """Replace every solution block by a TODO comment carrying its hint (configuration files: YAML).

    A YAML file cannot raise; the learner's unfinished file stays valid YAML and the
    lab's checks say what is missing.
    """
    solutions = [block for block in find_code_blocks(source, where) if block.kind == SOLUTION]
    return _replace_blocks(source, solutions,
                           lambda block, line_ending: [f"{block.indent}# TODO: {block.hint}{line_ending}"])


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_markdown_spans(text: str, where: Location) -> list[tuple[re.Match, re.Match]]:
    """Pairs of markdown solution markers; raise AuthoringError unless they pair up without nesting."""
    markers = list(_MARKDOWN_MARKER.finditer(text))
    starts = {marker.start() for marker in markers}
    for lookalike in _MARKDOWN_LOOKALIKE.finditer(text):
        if lookalike.start() not in starts:
            shown = text[lookalike.start() :].split("\n", 1)[0]
            raise AuthoringError(
                where,
                f"`{shown}` looks like a marker but is not one. "
                "Write exactly `<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->`.",
                _line_of(text, lookalike.start()),
            )
    spans = []
    opened: re.Match | None = None
    for marker in markers:
        line = _line_of(text, marker.start())
        if marker["edge"] == "BEGIN" and opened:
            raise AuthoringError(
                where,
                f"`<!-- BEGIN SOLUTION -->` opens inside the block begun at line {_line_of(text, opened.start())}; "
                "blocks cannot nest. Close that block with `<!-- END SOLUTION -->` first.",
                line,
            )
        if marker["edge"] == "END" and not opened:
            raise AuthoringError(
                where,
                "`<!-- END SOLUTION -->` has no `<!-- BEGIN SOLUTION -->` before it. "
                "Add the begin marker where the span starts, or delete this one.",
                line,
            )
        if marker["edge"] == "BEGIN":
            opened = marker
        else:
            spans.append((opened, marker))
            opened = None
    if opened:
        raise AuthoringError(
            where,
            "`<!-- BEGIN SOLUTION -->` is never closed. Add `<!-- END SOLUTION -->` after the span.",
            _line_of(text, opened.start()),
        )
    return spans


def remove_markdown_solutions(text: str, where: Location) -> str:
    """Cut every solution span; a span that fills whole lines takes those lines with it."""
    pieces = []
    position = 0
    for begin, end in find_markdown_spans(text, where):
        start, stop = begin.start(), end.end()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", stop)
        line_end = len(text) if line_end == -1 else line_end
        if not text[line_start:start].strip() and not text[stop:line_end].strip():
            start, stop = line_start, min(line_end + 1, len(text))
        pieces.append(text[position:start])
        position = stop
    pieces.append(text[position:])
    result = "".join(pieces)
    return result if text.endswith("\n") else result.removesuffix("\n")


def unwrap_markdown_solutions(text: str, where: Location) -> str:
    """Keep every solution span's text and drop its markers (the written answer as the book shows it)."""
    pieces, position = [], 0
    for begin, end in find_markdown_spans(text, where):
        pieces += [text[position : begin.start()], text[begin.end() : end.start()]]
        position = end.end()
    return "".join(pieces) + text[position:]
