"""Loading the credit data: synthetic by default, the real layouts from a path or an http URL."""

import functools
import http.server
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import xlrd

from mlops_kit.data import LABEL, CreditDataError, load_credit_data, synthetic_credit_data

WRITE_UCI_XLS = Path(__file__).parents[1] / "fixtures" / "write_uci_xls.py"
UCI_LABEL = "default payment next month"


@pytest.fixture(scope="module")
def frame():
    return synthetic_credit_data(n_rows=40, seed=5)


def uci_layout(frame):
    """The frame as the UCI file has it: ID first, the label last under its long name."""
    uci = frame.drop(columns=[LABEL]).assign(**{UCI_LABEL: frame[LABEL]})
    uci.insert(0, "ID", range(1, len(frame) + 1))
    return uci


def write_xls(uci, path):
    """A real .xls in the UCI layout, written by tests/fixtures/write_uci_xls.py."""
    csv = path.with_suffix(".source.csv")
    uci.to_csv(csv, index=False)
    subprocess.run([sys.executable, str(WRITE_UCI_XLS), str(csv), str(path)], check=True)
    return path


class RecordingHandler(http.server.SimpleHTTPRequestHandler):
    requests: list

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/www; `requests` lists the paths asked for."""
    root = tmp_path / "www"
    root.mkdir()
    handler = type("Handler", (RecordingHandler,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.root, httpd.requests = root, handler.requests
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_no_source_is_the_synthetic_data():
    pd.testing.assert_frame_equal(load_credit_data(n_rows=300, seed=2), synthetic_credit_data(n_rows=300, seed=2))


def test_csv_in_the_demos_layout(frame, tmp_path):
    frame.to_csv(tmp_path / "credit.csv", index=False)
    pd.testing.assert_frame_equal(load_credit_data(tmp_path / "credit.csv"), frame)


def test_csv_with_uci_names_and_any_column_order(frame, tmp_path):
    uci = uci_layout(frame)
    uci[list(reversed(uci.columns))].to_csv(tmp_path / "uci.csv", index=False)
    pd.testing.assert_frame_equal(load_credit_data(str(tmp_path / "uci.csv")), frame)


def test_original_uci_xls(frame, tmp_path):
    path = write_xls(uci_layout(frame), tmp_path / "default of credit card clients.xls")
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    sheet = xlrd.open_workbook(path).sheet_by_index(0)
    assert sheet.row_values(0)[:2] == ["", "X1"] and sheet.row_values(1)[-1] == UCI_LABEL  # header=1, as the demo read
    pd.testing.assert_frame_equal(load_credit_data(path), frame)


def test_bad_value_in_xls_names_column_row_and_spreadsheet_line(frame, tmp_path):
    uci = uci_layout(frame).astype({"AGE": "object"})
    uci.loc[6, "AGE"] = "thirty"
    path = write_xls(uci, tmp_path / "bad.xls")
    with pytest.raises(CreditDataError) as caught:
        load_credit_data(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "column 'AGE' has a non-numeric value 'thirty' at row 6" in message
    assert "line 9 of the file" in message  # two header rows, then data row 0 on line 3


def test_bad_value_in_csv_names_column_row_and_file_line(frame, tmp_path):
    bad = frame.astype({"PAY_0": "object"})
    bad.loc[[3, 20], "PAY_0"] = "late"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(CreditDataError) as caught:
        load_credit_data(tmp_path / "bad.csv")
    message = str(caught.value)
    assert "column 'PAY_0' has a non-numeric value 'late' at row 3 (2 rows in all)" in message
    assert "data row 3 is line 5 of the file" in message
    assert (caught.value.column, caught.value.row, caught.value.count) == ("PAY_0", 3, 2)


def test_empty_field_in_csv_is_a_missing_value(frame, tmp_path):
    text = frame.to_csv(index=False).splitlines()
    fields = text[2].split(",")
    fields[5] = ""  # AGE of data row 1
    text[2] = ",".join(fields)
    (tmp_path / "gap.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(CreditDataError, match=r"column 'AGE' has missing values: first at row 1 .*line 3 of the file"):
        load_credit_data(tmp_path / "gap.csv")


def test_csv_without_header_says_to_add_one(frame, tmp_path):
    frame.to_csv(tmp_path / "train_data.csv", index=False, header=False)
    with pytest.raises(CreditDataError, match="has no header row .* add the line 'Label,LIMIT_BAL"):
        load_credit_data(tmp_path / "train_data.csv")


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(CreditDataError, match=r"no credit data file at '.*nowhere\.csv': check the path.*synthetic"):
        load_credit_data(tmp_path / "nowhere.csv")


def test_xlsx_is_refused_with_a_way_out(tmp_path):
    (tmp_path / "credit.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(CreditDataError, match=r"\.xlsx workbook, which the kit does not read: save it as \.csv"):
        load_credit_data(tmp_path / "credit.xlsx")


def test_truncated_xls_says_fetch_it_again(frame, tmp_path):
    whole = write_xls(uci_layout(frame), tmp_path / "whole.xls").read_bytes()
    (tmp_path / "cut.xls").write_bytes(whole[: len(whole) // 2])
    expected = r"could not read .*cut\.xls as an Excel 97-2003 \.xls workbook .*fetch it again"
    with pytest.raises(CreditDataError, match=expected):
        load_credit_data(tmp_path / "cut.xls")


def test_url_is_downloaded_once_then_read_from_the_cache(frame, tmp_path, server):
    write_xls(uci_layout(frame), server.root / "default of credit card clients.xls")
    url = f"{server.url}/default%20of%20credit%20card%20clients.xls"
    cache = tmp_path / "cache"
    pd.testing.assert_frame_equal(load_credit_data(url, cache_dir=cache), frame)
    assert server.requests == ["/default%20of%20credit%20card%20clients.xls"]
    [cached] = cache.iterdir()
    assert cached.name.endswith("-default_of_credit_card_clients.xls")
    (server.root / "default of credit card clients.xls").unlink()  # a second request would now fail
    pd.testing.assert_frame_equal(load_credit_data(url, cache_dir=cache), frame)
    assert len(server.requests) == 1


def test_cache_dir_comes_from_the_environment_then_home(frame, tmp_path, server, monkeypatch):
    frame.to_csv(server.root / "credit.csv", index=False)
    monkeypatch.setenv("MLOPS_KIT_DATA_CACHE", str(tmp_path / "from-env"))
    load_credit_data(f"{server.url}/credit.csv")
    assert len(list((tmp_path / "from-env").iterdir())) == 1
    monkeypatch.delenv("MLOPS_KIT_DATA_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    load_credit_data(f"{server.url}/credit.csv")
    assert len(list((tmp_path / "home" / ".cache" / "mlops-kit" / "data").iterdir())) == 1


def test_url_not_found_names_the_url_and_the_status(tmp_path, server):
    url = f"{server.url}/missing.xls"
    with pytest.raises(CreditDataError, match=rf"could not download the credit data from {url}: the server "
                                              r"answered HTTP 404 .*pass its local path"):
        load_credit_data(url, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_unreachable_server_is_reported(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CreditDataError, match=rf"could not download .* from http://127.0.0.1:{port}/x.csv: .*refused"):
        load_credit_data(f"http://127.0.0.1:{port}/x.csv", cache_dir=tmp_path / "cache")


def test_download_that_is_not_credit_data_is_not_cached(tmp_path, server):
    (server.root / "page.csv").write_text("<html><body>Please log in</body></html>\n")
    cache = tmp_path / "cache"
    with pytest.raises(CreditDataError, match=r"page\.csv: missing column\(s\) 'Label'"):
        load_credit_data(f"{server.url}/page.csv", cache_dir=cache)
    assert list(cache.iterdir()) == []
    with pytest.raises(CreditDataError):
        load_credit_data(f"{server.url}/page.csv", cache_dir=cache)
    assert len(server.requests) == 2  # tried again, not served a bad cached copy


def test_semicolon_separated_csv_says_to_use_commas(frame, tmp_path):
    frame.to_csv(tmp_path / "excel-export.csv", index=False, sep=";")
    with pytest.raises(CreditDataError, match=r"excel-export\.csv separates its values with ';', not commas"):
        load_credit_data(tmp_path / "excel-export.csv")
