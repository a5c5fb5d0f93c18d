"""The detached local server: start, find, share, survive, report, reset, log and stop.

Each test gets its own kit home and port, so none of them meets a learner's server.
Starting a server costs 1-3 s, so each test starts at most one.
"""

import json
import socket
import subprocess
import sys
import textwrap

import boto3
import psutil
import pytest

from mlops_kit.local import rooms, seams
from mlops_kit.local.paths import server_state_file, work_dir
from mlops_kit.local.server import command, detached as server
from mlops_kit.local.server.detached import free_port


@pytest.fixture
def kit_home(tmp_path, monkeypatch):
    """A private kit home and port; stops whatever server a test left running."""
    monkeypatch.setenv("MLOPS_KIT_HOME", str(tmp_path))
    monkeypatch.setenv("MLOPS_KIT_PORT", str(free_port()))
    yield tmp_path
    server.stop()


def has_ended(pid: int) -> bool:
    """Gone, or a zombie its new parent has not reaped yet (the starter exited, so it is not ours)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_server_lifecycle_start_reuse_status_reset_log_stop(kit_home, capsys, monkeypatch):
    port = server.configured_port()
    assert server.status() is None

    started = server.start()
    assert started.url == f"http://127.0.0.1:{port}"
    assert started.pid != psutil.Process().pid and psutil.pid_exists(started.pid)
    assert json.loads(server_state_file().read_text())["pid"] == started.pid

    assert server.ensure_running() == started.url
    assert server.status().pid == started.pid  # reused, not restarted
    assert "older code" not in str(server.status())

    current = server.status()
    assert current.uptime_seconds >= 0
    assert current.rss_bytes > 20_000_000
    assert command.main(["status"]) == 0
    assert started.url in capsys.readouterr().out

    s3 = boto3.client("s3", endpoint_url=started.url)
    s3.create_bucket(Bucket="before-reset")
    job_folder = work_dir() / "training-job-1"
    job_folder.mkdir(parents=True)
    (job_folder / "model.tar.gz").write_bytes(b"x")
    assert server.reset().pid == started.pid
    assert s3.list_buckets()["Buckets"] == []
    assert list(work_dir().iterdir()) == []

    server_state_file().unlink()  # lost state: the live server is adopted, not duplicated
    assert server.ensure_running() == started.url
    assert server.status().pid == started.pid

    assert f"Serving on {started.url}" in server.log()
    assert len(server.log(lines=1).splitlines()) == 1

    with monkeypatch.context() as patch:  # as after `git pull` in an editable install
        patch.setattr(server, "code_fingerprint", lambda: "newer-code")
        with pytest.warns(server.StaleServerWarning, match=f"pid {started.pid}.*mlops-kit server stop"):
            assert server.ensure_running() == started.url
        assert "older code than installed" in str(server.status())

    assert command.main(["start"]) == 0
    assert f"Already running: {started.url} (pid {started.pid})" in capsys.readouterr().out
    assert command.main(["log", "--lines", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1

    assert command.main(["stop"]) == 0
    assert f"Stopped the local server (pid {started.pid})" in capsys.readouterr().out
    assert has_ended(started.pid)
    assert server.status() is None
    assert not server_state_file().exists()
    assert "Stopped" in server.log()
    assert command.main(["status"]) == 1
    assert "No local server is running" in capsys.readouterr().out
    assert server.stop() is None


def test_two_kernels_starting_at_once_share_one_server_that_outlives_them_and_stops_even_hung(kit_home):
    kernel = textwrap.dedent("""
        from mlops_kit.local.server.detached import ensure_running, status
        ensure_running()
        print(status().pid)
    """)
    kernels = [subprocess.Popen([sys.executable, "-c", kernel], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    pids = {int(process.communicate(timeout=60)[0]) for process in kernels}
    assert all(process.returncode == 0 for process in kernels)
    assert len(pids) == 1

    (pid,) = pids
    port = server.configured_port()
    servers = [p for p in psutil.process_iter(["cmdline"])
               if "mlops_kit.local.server.app" in (p.info["cmdline"] or []) and str(port) in p.info["cmdline"]]
    assert [p.pid for p in servers] == [pid]
    assert server.status().pid == pid  # both starters have exited; the server still answers

    psutil.Process(pid).suspend()  # hung: alive, holding its port, answering nothing
    with pytest.raises(server.ServerError, match=f"local server \\(pid {pid}\\) holds port {port} but is not answering"):
        server.start()
    assert server.stop(timeout=1.0) == pid
    assert has_ended(pid)
    assert not server_state_file().exists()


def test_a_port_held_by_another_program_gives_a_clear_message(kit_home, capsys):
    port = server.configured_port()
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", port))
        foreign.listen()
        with pytest.raises(server.PortInUseError) as raised:
            server.start()
        message = str(raised.value)
        assert f"Port {port}" in message and "not the kit's local server" in message
        assert "MLOPS_KIT_PORT=" in message and "--port" in message

        assert command.main(["start"]) == 1
        assert f"Port {port}" in capsys.readouterr().err
    assert server.status() is None


def test_the_server_process_itself_refuses_a_busy_port(kit_home):
    port = server.configured_port()
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", port))
        foreign.listen()
        result = subprocess.run([sys.executable, "-m", "mlops_kit.local.server.app", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == server.EXIT_PORT_IN_USE
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "MLOPS_KIT_PORT" in result.stderr


def test_the_suites_server_is_the_kits_extended_server(server_url):
    running = server.probe(server_url)
    assert running.pid == psutil.Process().pid  # in this process, where the extensions are installed
    assert {patch.__name__ for patch in rooms.room_patches()} <= seams.installed_rooms()


def test_a_bad_port_setting_says_what_to_set(monkeypatch):
    monkeypatch.setenv("MLOPS_KIT_PORT", "forty")
    with pytest.raises(server.ServerError, match="MLOPS_KIT_PORT='forty' is not a port number"):
        server.configured_port()


def test_log_before_any_server_ran_is_empty_and_the_command_says_where_it_would_be(kit_home, capsys):
    assert server.log() == ""
    assert command.main(["log"]) == 0
    assert "No server log yet" in capsys.readouterr().out
