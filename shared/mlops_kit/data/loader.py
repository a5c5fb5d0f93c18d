"""Load the credit data: synthetic by default (offline), or the real data from a file or URL.

The real data is the UCI "default of credit card clients" table, either the original
``.xls`` (two header rows, an ``ID`` column, the label called ``default payment next
month``) or a CSV in the demo's layout (header row, ``Label`` first); the UCI column
names are accepted in a CSV too. The format is recognised from the file's first bytes,
not its name. A URL is downloaded once into a cache directory and reused; a download
that turns out not to be credit data is not cached.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import xlrd

from .schema import LABEL, CreditDataError, validate_credit_frame
from .synthetic import synthetic_credit_data

CACHE_ENV_VAR = "MLOPS_KIT_DATA_CACHE"
DEFAULT_CACHE_DIR = Path("~/.cache/mlops-kit/data")
UCI_LABEL_NAMES = ("default payment next month", "default.payment.next.month")
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file, as Excel 97-2003 writes
ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx
DOWNLOAD_TIMEOUT_SECONDS = 60


def load_credit_data(source: str | os.PathLike | None = None, *, n_rows: int = 30_000, seed: int = 0,
                     cache_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The credit data in the demo's schema (24 int64 columns, ``Label`` first), validated.

    ``source`` None gives ``synthetic_credit_data(n_rows, seed)``; otherwise it is a path
    or an http(s) URL to the UCI ``.xls`` or a CSV. ``cache_dir`` (default: the
    ``MLOPS_KIT_DATA_CACHE`` environment variable, else ``~/.cache/mlops-kit/data``)
    holds downloaded files. Raises CreditDataError with what to do when the source
    cannot be read or does not fit the schema.
    """
    if source is None:
        return validate_credit_frame(synthetic_credit_data(n_rows, seed))
    text = os.fspath(source)
    if re.match(r"https?://", text, flags=re.IGNORECASE):
        return _load_url(text, _cache_dir(cache_dir))
    path = Path(text).expanduser()
    if not path.is_file():
        raise CreditDataError(
            f"no credit data file at {str(path)!r}: check the path, or call load_credit_data() "
            "with no source to use the synthetic data."
        )
    return _read_credit_file(path, origin=str(path))


def _cache_dir(cache_dir) -> Path:
    chosen = cache_dir if cache_dir is not None else os.environ.get(CACHE_ENV_VAR) or DEFAULT_CACHE_DIR
    return Path(chosen).expanduser()


def _load_url(url: str, cache_dir: Path) -> pd.DataFrame:
    cached = cache_dir / _cache_name(url)
    if cached.is_file():
        return _read_credit_file(cached, origin=f"{url} (cached as {cached})")
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    try:
        _download(url, partial)
        frame = _read_credit_file(partial, origin=url)
        partial.replace(cached)
    finally:
        partial.unlink(missing_ok=True)
    return frame


def _cache_name(url: str) -> str:
    """A readable, collision-free file name: the URL's last path part plus a hash."""
    basename = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name or "download"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", basename)
    return f"{hashlib.sha256(url.encode()).hexdigest()[:12]}-{safe}"


def _download(url: str, target: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response, open(target, "wb") as out:
            while chunk := response.read(1 << 20):
                out.write(chunk)
    except urllib.error.HTTPError as error:
        reason = f"the server answered HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        reason = str(getattr(error, "reason", error))
    else:
        return
    raise CreditDataError(
        f"could not download the credit data from {url}: {reason}. Check the URL and your network, "
        "or download the file yourself and pass its local path to load_credit_data()."
    )


def _read_credit_file(path: Path, origin: str) -> pd.DataFrame:
    """Read a UCI .xls or a CSV, name its columns as the demo does, and validate it."""
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(ZIP_SIGNATURE):
        raise CreditDataError(f"{origin} is an .xlsx workbook, which the kit does not read: "
                              "save it as .csv (or the original .xls) and load that.")
    is_xls = start == XLS_SIGNATURE
    try:
        frame, lines_before_data = _read_xls(path) if is_xls else (pd.read_csv(path, skipinitialspace=True), 1)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, xlrd.XLRDError,
            xlrd.compdoc.CompDocError, struct.error) as error:
        kind = "an Excel 97-2003 .xls workbook" if is_xls else "a CSV file"
        raise CreditDataError(f"could not read {origin} as {kind} ({error}): check that it is the credit "
                              "data and complete (fetch it again if it was cut short).") from error
    frame = _demo_names(frame)
    _refuse_unusual_layout(frame, origin)
    try:
        return validate_credit_frame(frame).reset_index(drop=True)
    except CreditDataError as error:
        where = "" if error.row is None else (
            f" (data row {error.row} is line {error.row + lines_before_data + 1} of the file)")
        raise CreditDataError(f"{origin}: {error}{where}", column=error.column, row=error.row,
                              count=error.count) from error


def _read_xls(path: Path) -> tuple[pd.DataFrame, int]:
    """The UCI .xls has a row of X1..X23/Y codes above the real header; find the header.

    xlrd is used directly: pandas has deprecated its xlrd engine, and calamine is not
    among the kit's pins.
    """
    sheet = xlrd.open_workbook(path, logfile=io.StringIO()).sheet_by_index(0)  # no stray warnings
    rows = [[None if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) else cell.value
             for cell in sheet.row(index)] for index in range(sheet.nrows)]
    header_row = next((index for index, row in enumerate(rows[:2])
                       if "LIMIT_BAL" in {str(value).strip() for value in row}), 0)
    header = [str(value).strip() if value is not None else "" for value in rows[header_row]] if rows else []
    return pd.DataFrame(rows[header_row + 1:], columns=header), header_row + 1


def _demo_names(frame: pd.DataFrame) -> pd.DataFrame:
    """The demo's preparation: drop ID, call the target Label (and strip stray spaces)."""
    frame = frame.rename(columns=lambda name: str(name).strip())
    frame = frame.rename(columns={name: LABEL for name in UCI_LABEL_NAMES})
    return frame.drop(columns=["ID"], errors="ignore")


def _refuse_unusual_layout(frame: pd.DataFrame, origin: str) -> None:
    """Two CSV mistakes that would otherwise read as 24 missing columns."""
    names = [str(name) for name in frame.columns]
    separator = next((sep for sep in (";", "\t", "|") if len(names) == 1 and sep in names[0]), None)
    if separator:
        raise CreditDataError(f"{origin} separates its values with {separator!r}, not commas: save it as a "
                              "comma-separated CSV and load that.")
    if LABEL not in names and names and all(re.fullmatch(r"-?\d+(\.\d+)?", name) for name in names):
        raise CreditDataError(
            f"{origin} has no header row (its first line holds numbers): add the line "
            "'Label,LIMIT_BAL,SEX,...' naming the 24 columns, or load the raw data file.",
            column=LABEL,
        )
