"""OLE compound files: password-protected workbooks and legacy Excel 97-2003 (.xls).

Why a module of its own: an OLE file named .xlsx is either an encrypted workbook (Excel wraps
the encrypted package in OLE) or a legacy .xls, and the analyst needs to hear which. The OLE
directory is parsed here in pure Python, with every sector number and chain checked, so a
damaged file gives a message rather than a crash.

Legacy .xls is then read by calamine in a separate process (`LegacyWorkbook`): random byte
flips of a small .xls made calamine 0.36 abort the process (allocation failures), panic or
loop forever in about 1% of cases, which no in-process guard can contain. A child process
that dies or overruns its time limit becomes one InputError instead.
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError

ENCRYPTED = ("the workbook is password-protected (encrypted); open it in Excel and save it "
             "without a password")
SAVE_AS_XLSX = "open it in Excel and save it as .xlsx"
LEGACY_NOTE = ("legacy Excel 97-2003 (.xls) workbook: read by an isolated reader; "
               "save it as .xlsx for faster imports")
LEGACY_TIMEOUT_S = 30.0
WORKER_FLAG = "--legacy-xls-worker"
MAX_OLE_BYTES = 512 * 1024**2
_FREE, _END, _MAX_REGULAR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFA
_MAX_DIR_ENTRIES = 100_000
_FILEPASS, _BOUNDSHEET, _EOF = 0x002F, 0x0085, 0x000A


class OleDamage(ValueError):
    """The OLE structure is inconsistent (a chain loops, a sector lies outside the file...)."""


class OleFile:
    """Directory and regular-sector streams of a compound file, fully bounds-checked."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise OleDamage("shorter than an OLE header")
        shift, = struct.unpack_from("<H", data, 30)
        if shift not in (9, 12):
            raise OleDamage(f"sector size 2^{shift}")
        self.data, self.size = data, 1 << shift
        self.sectors = (len(data) - self.size) // self.size
        fat_count, first_dir = struct.unpack_from("<II", data, 44)
        self.cutoff, = struct.unpack_from("<I", data, 56)
        first_difat, difat_count = struct.unpack_from("<II", data, 68)
        fat_ids = [i for i in struct.unpack_from("<109I", data, 76) if i <= _MAX_REGULAR]
        fat_ids += self._difat(first_difat, difat_count)
        if len(fat_ids) < fat_count or fat_count > self.sectors:
            raise OleDamage("the sector table is incomplete")
        self.fat = []
        for sector in fat_ids[:fat_count]:
            self.fat.extend(struct.unpack_from(f"<{self.size // 4}I", self._sector(sector)))
        self.entries = self._directory(first_dir)

    def _sector(self, index: int) -> bytes:
        if index >= self.sectors:
            raise OleDamage(f"sector {index} lies past the end of the file")
        start = (index + 1) * self.size
        return self.data[start:start + self.size]

    def _difat(self, sector: int, count: int) -> list[int]:
        ids, seen = [], set()
        while sector <= _MAX_REGULAR and len(seen) < count:
            if sector in seen:
                raise OleDamage("the sector table loops")
            seen.add(sector)
            values = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            ids += [v for v in values[:-1] if v <= _MAX_REGULAR]
            sector = values[-1]
        return ids

    def chain(self, start: int) -> list[int]:
        sectors, seen = [], set()
        while start <= _MAX_REGULAR:
            if start in seen or start >= len(self.fat):
                raise OleDamage("a sector chain loops or leaves the sector table")
            seen.add(start)
            sectors.append(start)
            start = self.fat[start]
        if start not in (_END, _FREE):
            raise OleDamage("a sector chain ends badly")
        return sectors

    def _directory(self, first: int) -> dict[str, tuple[int, int, int]]:
        raw = b"".join(self._sector(s) for s in self.chain(first))
        entries: dict[str, tuple[int, int, int]] = {}
        for at in range(0, min(len(raw), _MAX_DIR_ENTRIES * 128), 128):
            length, kind = struct.unpack_from("<HB", raw, at + 64)
            if kind not in (1, 2, 5) or not 2 <= length <= 64:
                continue
            name = raw[at:at + length - 2].decode("utf-16-le", errors="replace")
            start, size = struct.unpack_from("<IQ", raw, at + 116)
            entries[name] = (kind, start, size & 0xFFFFFFFF if self.size == 512 else size)
        return entries

    def stream(self, name: str, limit: int = 64 * 1024**2) -> bytes | None:
        """A regular-sector stream's bytes (None for small streams kept in the mini stream)."""
        _kind, start, size = self.entries[name]
        if size < self.cutoff:
            return None
        sectors = self.chain(start)
        if len(sectors) * self.size < size:
            raise OleDamage(f"stream {name} is longer than its sectors")
        return b"".join(self._sector(s) for s in sectors[:limit // self.size + 1])[:min(size, limit)]


def _open_ole(path: Path) -> OleFile:
    try:
        size = Path(path).stat().st_size
        if size > MAX_OLE_BYTES:
            raise InputError(path, f"refused: an OLE compound file of {size / 1024**2:,.0f} MB, larger "
                                   f"than any Excel 97-2003 workbook; {SAVE_AS_XLSX}")
        return OleFile(Path(path).read_bytes())
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    except struct.error:
        raise OleDamage("cut short") from None


def _workbook_stream_name(ole: OleFile) -> str | None:
    return next((n for n in ("Workbook", "Book", "WORKBOOK", "BOOK") if n in ole.entries), None)


def check_legacy_workbook(path: Path) -> None:
    """Raise InputError unless this OLE file is an unencrypted legacy workbook."""
    try:
        ole = _open_ole(path)
    except OleDamage as exc:
        raise InputError(path, _guess_damaged(path, str(exc))) from None
    if "EncryptedPackage" in ole.entries or "EncryptionInfo" in ole.entries:
        raise InputError(path, ENCRYPTED)
    name = _workbook_stream_name(ole)
    if name is None:
        raise InputError(path, "an OLE compound file (e.g. a Word or old Office document) but not "
                               f"an Excel workbook; {SAVE_AS_XLSX}")
    try:
        _sheet_names(ole, name)
    except _Encrypted:
        raise InputError(path, ENCRYPTED) from None
    except OleDamage as exc:
        raise InputError(path, f"a legacy Excel 97-2003 (.xls) workbook whose structure is damaged "
                               f"({exc}); {SAVE_AS_XLSX}") from None


def _guess_damaged(path: Path, why: str) -> str:
    """No readable directory: name the file by the stream names its bytes still carry."""
    data = Path(path).read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return ENCRYPTED
    if any(n.encode("utf-16-le") in data for n in ("Workbook", "Book")):
        return f"a legacy Excel 97-2003 (.xls) workbook whose structure is damaged ({why}); {SAVE_AS_XLSX}"
    return f"an OLE compound file (encrypted workbook or legacy .xls) that is damaged ({why})"


class _Encrypted(Exception):
    pass


def _sheet_names(ole: OleFile, stream_name: str) -> list[str] | None:
    """Sheet names from the BOUNDSHEET records of the workbook globals (None when the stream
    sits in the mini stream, which we do not parse)."""
    data = ole.stream(stream_name)
    if data is None:
        return None
    names, at = [], 0
    while at + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, at)
        body = data[at + 4:at + 4 + length]
        if len(body) < length:
            raise OleDamage("a record runs past the end of the workbook stream")
        if kind == _FILEPASS:
            raise _Encrypted
        if kind == _BOUNDSHEET and length >= 8:
            count, high = body[6], body[7]
            raw = body[8:8 + count * (2 if high & 1 else 1)]
            names.append(raw.decode("utf-16-le" if high & 1 else "latin-1", errors="replace"))
        if kind == _EOF:
            return names
        at += 4 + length
    raise OleDamage("the workbook globals have no end record")


def ole_summary(path: Path) -> tuple[str, list[str]]:
    """("encrypted" | "xls" | "other" | "damaged", sheet names) without calamine, for sniffing."""
    try:
        ole = _open_ole(path)
        if "EncryptedPackage" in ole.entries or "EncryptionInfo" in ole.entries:
            return "encrypted", []
        name = _workbook_stream_name(ole)
        return ("xls", _sheet_names(ole, name) or []) if name else ("other", [])
    except _Encrypted:
        return "encrypted", []
    except (OleDamage, InputError):
        return "damaged", []


def legacy_sheet_names(path: Path) -> list[str] | None:
    """Sheet names of a legacy .xls, read without calamine; None when not determinable."""
    kind, names = ole_summary(path)
    return names if kind == "xls" and names else None


class LegacyWorkbook:
    """A legacy .xls loaded by calamine in a child process, all sheets as text; offers the
    `sheet_names` / `load_sheet` subset of fastexcel's reader that the importers use."""

    def __init__(self, path: Path, timeout: float | None = None):
        self.path = Path(path)
        self._sheets = _read_isolated(self.path, timeout or LEGACY_TIMEOUT_S)
        self.sheet_names = list(self._sheets)

    def load_sheet(self, name: str, *, header_row=None, skip_rows=0, dtypes="string",
                   eager=True, whitespace_as_null=True) -> pa.RecordBatch:
        kind, payload = self._sheets[name]
        if kind == "error":
            raise ValueError(payload)
        batch = pa.ipc.open_stream(payload).read_all().combine_chunks().to_batches()
        batch = batch[0] if batch else pa.RecordBatch.from_pydict({})
        if isinstance(dtypes, dict):
            columns = list(batch.columns)
            for index, kind_name in dtypes.items():
                if kind_name != "string" and index < len(columns):
                    columns[index] = pc.cast(columns[index], pa.float64())
            batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
        return batch


def _read_isolated(path: Path, timeout: float) -> dict[str, tuple[str, object]]:
    """Run `_WORKER` in a fresh interpreter (it imports only fastexcel and pyarrow)."""
    if getattr(sys, "frozen", False):      # a bundle has no `-c`: its entry calls worker_main
        command = [sys.executable, WORKER_FLAG, str(path)]
    else:
        command = [sys.executable, "-c", _WORKER, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(path, f"the legacy .xls reader did not finish within {timeout:.0f} s "
                               f"(a damaged or hostile file); {SAVE_AS_XLSX}") from None
    except OSError as exc:
        raise InputError(path, f"cannot start the legacy .xls reader: {exc}") from None
    try:
        status, payload = pickle.loads(done.stdout) if done.returncode == 0 else ("crash", None)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
        status, payload = "crash", None
    if status == "crash":
        raise InputError(path, f"the legacy .xls workbook is damaged: its reader stopped (exit "
                               f"status {done.returncode}); {SAVE_AS_XLSX}")
    if status != "ok":
        raise InputError(path, f"cannot read the legacy .xls workbook: {payload}; {SAVE_AS_XLSX}")
    return payload


#: the child's program: every sheet as text -> Arrow IPC bytes, pickled to stdout
_WORKER = """
import pickle, sys
def first_line(exc):
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
try:
    import fastexcel, pyarrow as pa
    with open(sys.argv[1], "rb") as handle:
        reader = fastexcel.read_excel(handle.read())   # bytes: detected by content, not name
    sheets = {}
    for name in reader.sheet_names:
        try:
            batch = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string",
                                      eager=True, whitespace_as_null=True)
        except BaseException as exc:
            sheets[name] = ("error", first_line(exc))
            continue
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        sheets[name] = ("ok", sink.getvalue().to_pybytes())
    result = ("ok", sheets)
except BaseException as exc:
    result = ("error", first_line(exc))
sys.stdout.buffer.write(pickle.dumps(result))
"""


def worker_main(argv: list[str] | None = None) -> int:
    """Entry for bundled apps: `app --legacy-xls-worker FILE` runs the child program."""
    argv = sys.argv if argv is None else argv
    sys.argv = [argv[0], argv[argv.index(WORKER_FLAG) + 1]]
    exec(compile(_WORKER, "<legacy-xls-worker>", "exec"), {"__name__": "__legacy_worker__"})  # noqa: S102
    return 0
