"""`mlops-kit teardown`: delete what the workshop made on a backend, found by its tags, and report what is left.

Exit status: 0 when nothing is left, 1 when something could not be deleted (the report
says what and why), 2 when the session could not start (credentials, region, role).
"""

import argparse
import sys

from mlops_kit.session import BACKENDS, SessionError, start_session
from mlops_kit.teardown import teardown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlops-kit teardown", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n")[1])
    parser.add_argument("--backend", choices=BACKENDS, default="local",
                        help="where to delete: local (default) or aws (your account: the credentials chain)")
    parser.add_argument("--lab", help="only this lab's resources, e.g. lab4 (default: every lab's)")
    parser.add_argument("--region", help="the AWS region (default: your configured one)")
    parser.add_argument("--role", help="a SageMaker execution role (only needed outside SageMaker on aws)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    try:
        session = start_session(args.backend, region=args.region, role=args.role or _any_role(args.backend))
    except SessionError as error:
        print(f"mlops-kit teardown: {error}", file=sys.stderr)
        return 2
    report = teardown(session, lab=args.lab, dry_run=args.dry_run, verbose=True)
    return 0 if args.dry_run or not report.left else 1


def _any_role(backend: str) -> str | None:
    """Teardown starts no job, so on aws any role name satisfies the session's check."""
    return "teardown-needs-no-role" if backend == "aws" else None
