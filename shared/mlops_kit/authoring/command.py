"""`generate-labs [--check] [--solutions DIR] [--labs DIR]`: parse, forward to the library, report.

Exit status: 0 labs current (or now written); 1 with --check when any lab is stale,
missing or orphaned; 2 for an authoring mistake or bad arguments (nothing is written).
"""

import argparse
import sys
from pathlib import Path

from .errors import AuthoringError
from .generate import apply_changes, diff_labs
from .render import shown

EXIT_CURRENT = 0
EXIT_STALE = 1
EXIT_AUTHORING_ERROR = 2


def find_repo_root(start: Path) -> Path | None:
    """The nearest folder, from ``start`` upwards, that holds solutions/."""
    for folder in (start, *start.parents):
        if (folder / "solutions").is_dir():
            return folder
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate-labs",
        description="Generate the student labs in labs/ from the solution notebooks in solutions/.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list stale, missing and orphaned labs and exit 1 if there are any",
    )
    parser.add_argument("--solutions", type=Path, help="solution folder (default: solutions/ of the repository)")
    parser.add_argument("--labs", type=Path, help="lab folder to write (default: labs/ of the repository)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.solutions is None or args.labs is None:
        root = find_repo_root(Path.cwd())
        if root is None:
            parser.error(
                f"no solutions/ folder in {Path.cwd()} or any folder above it; "
                "run from inside the workshop repository or pass --solutions and --labs"
            )
        args.solutions = args.solutions or root / "solutions"
        args.labs = args.labs or root / "labs"
    try:
        changes = diff_labs(args.solutions, args.labs)
    except AuthoringError as error:
        print(f"authoring error: {error}", file=sys.stderr)
        return EXIT_AUTHORING_ERROR
    if args.check:
        reasons = changes.reasons()
        for reason in reasons:
            print(reason)
        if reasons:
            return EXIT_STALE
        print(f"{shown(args.labs)} is up to date with {shown(args.solutions)}")
        return EXIT_CURRENT
    for path in apply_changes(changes):
        print(f"wrote {shown(path)}")
    for relative in changes.orphaned:
        print(f"removed {shown(args.labs / relative)}")
    print(f"{shown(args.labs)} is up to date with {shown(args.solutions)}")
    return EXIT_CURRENT


if __name__ == "__main__":
    sys.exit(main())
