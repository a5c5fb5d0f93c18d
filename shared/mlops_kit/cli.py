"""`mlops-kit` command: parses the verb and hands the rest to the module that owns it."""

import importlib
import sys

# verb -> (module with a `main(argv) -> int`, one-line help)
COMMANDS = {
    "run-workshop": ("mlops_kit.workshop_run", "run every solution on the local backend, then build the book"),
    "generate-labs": ("mlops_kit.authoring.command", "generate labs/ from solutions/ (--check: fail when stale)"),
    "submit": ("mlops_kit.grading.submit", "write a lab's submission: its notebook and the files it edits, zipped"),
    "grade": ("mlops_kit.grading.command", "grade submissions (.zip or .ipynb), or folders of them"),
    "validate": ("mlops_kit.grading.validate", "prove every solution scores full marks and every lab zero"),
    "teardown": ("mlops_kit.teardown_command", "delete what the workshop made (found by its tags); --dry-run lists it"),
    "server": ("mlops_kit.local.server.command", "start | status | stop | reset | log the local AWS server"),
}


def usage() -> str:
    lines = ["usage: mlops-kit <command> [options]", "", "commands:"]
    lines += [f"  {verb:<14} {text}" for verb, (_, text) in COMMANDS.items()]
    lines += ["", "Run `mlops-kit <command> --help` for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    verb, rest = argv[0], argv[1:]
    if verb not in COMMANDS:
        print(f"mlops-kit: unknown command {verb!r}.\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[verb][0])
    return module.main(rest)


if __name__ == "__main__":
    sys.exit(main())
