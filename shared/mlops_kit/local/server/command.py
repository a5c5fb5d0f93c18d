"""``mlops-kit server start|status|stop|reset|log``: manage the local server from a shell."""

import argparse
import sys

from . import detached as server


def main(argv: list[str] | None = None) -> int:
    """Run one server command; return the process exit code (1 on a problem, with a message)."""
    parser = argparse.ArgumentParser(prog="mlops-kit server", description="Manage the local AWS server of this machine.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="{start,status,stop,reset,log}")
    start = actions.add_parser("start", help="start the server unless it runs already")
    start.add_argument("--port", type=int, default=None,
                       help=f"port on {server.HOST} (default: {server.PORT_ENV} or {server.DEFAULT_PORT})")
    actions.add_parser("status", help="show URL, pid, uptime and memory (exit code 1 if not running)")
    actions.add_parser("stop", help="stop the server (its in-memory AWS state is lost)")
    actions.add_parser("reset", help="clear every resource on the server and the jobs' work files")
    log = actions.add_parser("log", help="show the end of the server's log")
    log.add_argument("-n", "--lines", type=int, default=50, help="how many lines (default: 50)")
    arguments = parser.parse_args(argv)
    try:
        return _run(arguments)
    except server.ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _run(arguments: argparse.Namespace) -> int:
    if arguments.action == "start":
        already = server.status()
        running = server.start(arguments.port)
        if already and arguments.port and arguments.port != already.port:
            print(f"A server already runs on port {already.port} (one per machine); "
                  f"run `mlops-kit server stop` first to move it to port {arguments.port}.")
        print(f"{'Already running' if already else 'Started'}: {running.url} (pid {running.pid})")
        return 0
    if arguments.action == "status":
        running = server.status()
        print(running or "No local server is running. Start one with `mlops-kit server start` "
                         "(or just run a lab: start_session() starts it).")
        return 0 if running else 1
    if arguments.action == "stop":
        pid = server.stop()
        print(f"Stopped the local server (pid {pid})." if pid else "No local server was running.")
        return 0
    if arguments.action == "reset":
        running = server.reset()
        print(f"Reset the server at {running.url}: every resource and job file is gone." if running
              else "No local server is running; cleared the jobs' work files.")
        return 0
    text = server.log(arguments.lines)
    print(text.rstrip("\n") if text else f"No server log yet at {server.server_log_file()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
