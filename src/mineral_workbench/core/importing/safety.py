"""Checks an .xlsx must pass before calamine parses it: none of these failures may crash us.

Why each check exists (measured with fastexcel 0.21 / calamine 0.36 on this machine):
- A part whose declared size is small but whose data inflates far beyond it is read by
  calamine in full (a 1 GB whitespace text node cost 1 GB of memory), so every part is
  stream-inflated here first, stopping the moment it exceeds its declared size.
- calamine makes a sheet dense from its first to its last cell: one stray cell at
  XFD1048576 asks for 550 GB and aborts the whole process (calamine issue 693, fastexcel
  issue 487). So the cell extent of each worksheet is bounded before it is loaded.
- OOXML parts never carry a DTD; one is refused rather than trusted (entity expansion, XXE).
- Member names, overlaps and compression methods are checked so that what we verify is
  exactly what calamine will read.

The inflate and the scan run together: zlib releases the GIL in a worker thread while the
caller scans the previous chunk with regular expressions (fast path); only a sheet whose
markup is unusual gets the exact, slower scan that reproduces calamine's cell placement.
"""

from __future__ import annotations

import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..errors import InputError

#: the largest cell grid calamine may build (32 B a cell: 1 GiB); 1,048,576 x 32
MAX_GRID_CELLS = 2**25
MAX_MEMBERS = 10_000
#: what Python's zipfile raises on damaged archives (beyond BadZipFile)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
              RuntimeError, OSError, ValueError, EOFError, struct.error, KeyError, IndexError)
ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
PROLOG_BYTES = 65_536          # the XML declaration, comments and a DTD would sit in here
_CHUNK = 1 << 20
_INLINE_BYTES = 1 << 16          # parts this small (compressed) are inflated without a thread
_OVERLAP = 40                   # longer than any token the fast scan looks for

# Fast path: a row number of at most 1,099,999 and a column A..AD bound the grid by
# 1,099,999 x 30 < MAX_GRID_CELLS (rows just past Excel's 1,048,576 are tolerated: other
# writers put a `Total:` row there, and calamine reads them).
_OK_ROW = rb"(?:[1-9]\d{0,5}|10\d{5})"
#: any cell start tag that is not `<c r="X123"` in canonical form
_ODD_CELL = re.compile(rb'<c(?!\sr="(?:[A-Z]|A[A-D])' + _OK_ROW + rb'")(?=[\s/>])')
#: a namespace-prefixed cell (`<x:c ...>`): calamine matches local names, so it is a cell too
_PREFIXED = re.compile(rb":c[\s/>]")
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(rb"<[A-Za-z_]")
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_TAG_START = re.compile(rb"<(?:[\w.-]+:)?(?:row|c)(?=[\s/>])")
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"\s*([A-Za-z]*)(\d*)")
_ENTITY = re.compile(rb"&(#?[0-9A-Za-z]+);")
_ENTITIES = {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}
_MAX_TAG = 1 << 20


def check_members(path: Path, infos: list[zipfile.ZipInfo], file_size: int) -> None:
    """Refuse member lists that no spreadsheet writer produces and that readers disagree on."""
    if len(infos) > MAX_MEMBERS:
        raise InputError(path, f"refused: {len(infos):,} parts in the workbook (limit {MAX_MEMBERS:,})")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        bad = _bad_name(name)
        if bad:
            raise InputError(path, f"refused: the zip holds a part named {name!r} ({bad}); "
                                   "no spreadsheet writer produces that")
        if name.lower() in seen:
            raise InputError(path, f"refused: the part {name!r} appears twice in the zip; readers "
                                   "would disagree on which copy is the data")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise InputError(path, "the workbook's parts are encrypted; save it without a password")
        if info.compress_type not in ALLOWED_METHODS and not name.endswith("/"):
            raise InputError(path, f"refused: part {name} uses zip compression method "
                                   f"{info.compress_type}, which Excel never writes")
    ends = sorted((info.header_offset, info.header_offset + 30 + len(info.filename.encode())
                   + info.compress_size) for info in infos)
    for (start, end), (next_start, _) in zip(ends, ends[1:] + [(file_size, file_size)]):
        if start < 0 or next_start < end or end > file_size:
            raise InputError(path, "refused: the zip's parts overlap or run past the end of the "
                                   "file (a crafted or damaged archive); download it again")


def _bad_name(name: str) -> str:
    if "\0" in name or "\\" in name:
        return "control or backslash characters"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "a path that climbs out of the archive"
    return ""


def package_warnings(names: list[str], content_types: bytes) -> list[str]:
    """What the workbook carries that we deliberately ignore, for the import report."""
    lowered = [n.lower() for n in names]
    warnings = []
    if any(n.endswith("vbaproject.bin") for n in lowered) or b"macroEnabled" in content_types:
        warnings.append("the workbook contains macros (vbaProject.bin); macros were not run")
    if any(n.startswith(("xl/embeddings/", "xl/activex/")) for n in lowered):
        warnings.append("the workbook contains embedded objects or ActiveX controls; they were not opened")
    if any(n.startswith("xl/externallinks/") for n in lowered):
        warnings.append("the workbook links to other workbooks; the links were not followed")
    return warnings


def verify_parts(path: Path, infos: list[zipfile.ZipInfo], sheets: dict[str, str]) -> None:
    """Inflate every part with its declared size as a hard cap; check XML prologs; bound the
    cell extent of each worksheet (`sheets` maps part name -> sheet name, for messages)."""
    try:
        with open(path, "rb") as handle:
            for info in infos:
                if not info.is_dir():
                    _verify_part(path, handle, info, sheets)
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None


def _verify_part(path: Path, handle, info: zipfile.ZipInfo, sheets: dict[str, str]) -> None:
    name = info.filename
    sheet = sheets.get(name, name)
    scan = _ExtentScan(path, sheet) if name in sheets or name.startswith("xl/worksheets/") else None
    head = b"" if name.endswith((".xml", ".rels")) or name in sheets else None
    for chunk in _inflate(path, handle, info):
        if head is not None:
            head += chunk[:PROLOG_BYTES - len(head)]
            if len(head) >= PROLOG_BYTES:
                _check_prolog(path, name, head)
                head = None
        if scan is not None:
            scan.feed(chunk)
    if head is not None:
        _check_prolog(path, name, head)
    if scan is not None and scan.finish():
        _exact_extent(path, handle, info, sheet)


def _inflate(path: Path, handle, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks, inflated in a worker thread; InputError if the data
    inflates past the declared size or ends early."""
    handle.seek(info.header_offset)
    local = handle.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise InputError(path, f"corrupt .xlsx (part {info.filename} has no local header); download it again")
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    if handle.read(name_len) != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                                          errors="replace"):
        raise InputError(path, f"refused: part {info.filename} is named differently inside the zip")
    handle.seek(extra_len, 1)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _size_lie(path, info)
        yield from _stored(path, handle, info)
        return
    if info.compress_size <= _INLINE_BYTES:  # a worker thread costs more than the work
        yield from _inflate_here(path, handle, info)
        return
    chunks: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()
    worker = threading.Thread(target=_deflate_worker, args=(handle, info, chunks, stop), daemon=True)
    worker.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item if isinstance(item, InputError) else InputError(
                    path, f"corrupt .xlsx (part {info.filename}: {item}); download it again")
            if item == b"":
                raise _size_lie(path, info)
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                chunks.get(timeout=0.05)
            except queue.Empty:
                pass


def _deflate_worker(handle, info: zipfile.ZipInfo, chunks: queue.Queue, stop: threading.Event) -> None:
    try:
        for out in _deflated(handle, info, stop):
            chunks.put(out)
            if out == b"":
                return
        chunks.put(None)
    except (zlib.error, ValueError, OSError) as exc:
        chunks.put(exc)
        chunks.put(None)


def _inflate_here(path: Path, handle, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """`_inflate` without the worker thread (small parts), with the same errors."""
    chunks = _deflated(handle, info)
    while True:
        try:
            item = next(chunks, None)
        except (zlib.error, ValueError, OSError) as exc:
            raise InputError(path, f"corrupt .xlsx (part {info.filename}: {exc}); "
                                   "download it again") from None
        if item is None:
            return
        if item == b"":
            raise _size_lie(path, info)
        yield item


def _deflated(handle, info: zipfile.ZipInfo, stop: threading.Event | None = None) -> Iterator[bytes]:
    """The part inflated in chunks of at most _CHUNK bytes; b"" (then nothing) once past the
    declared size; ValueError when the data ends early or falls short. Stops once `stop` is set."""
    inflater, left, produced = zlib.decompressobj(-15), info.compress_size, 0
    while not inflater.eof and not (stop is not None and stop.is_set()):
        data = inflater.unconsumed_tail
        if not data:
            if left <= 0:
                raise ValueError("the compressed data ends early")
            data = handle.read(min(left, 1 << 16))
            if not data:
                raise ValueError("the file ends inside the part")
            left -= len(data)
        out = inflater.decompress(data, _CHUNK)
        produced += len(out)
        if produced > info.file_size:
            yield b""                    # more than declared: the caller names the lie
            return
        if out:
            yield out
    if not (stop is not None and stop.is_set()) and produced != info.file_size:
        raise ValueError(f"it inflates to {produced:,} bytes, not the declared {info.file_size:,}")


def _stored(path: Path, handle, info: zipfile.ZipInfo) -> Iterator[bytes]:
    left = info.file_size
    while left > 0:
        data = handle.read(min(left, _CHUNK))
        if not data:
            raise InputError(path, f"corrupt .xlsx (part {info.filename} is cut short); download it again")
        left -= len(data)
        yield data


def _size_lie(path: Path, info: zipfile.ZipInfo) -> InputError:
    return InputError(path, f"refused: part {info.filename} inflates beyond its declared size of "
                            f"{info.file_size:,} bytes, the mark of a zip bomb")


def _check_prolog(path: Path, part: str, head: bytes) -> None:
    """No DTD before the root element, and a root element within PROLOG_BYTES."""
    text = _COMMENT.sub(b"", head)
    root = _ROOT.search(text)
    if _DTD.search(text[:root.start()] if root else text):
        raise InputError(path, f"refused: part {part} declares a DTD or XML entities, which Excel "
                               "never writes (an XML entity-expansion or external-entity attack)")
    if root is None and len(head) >= PROLOG_BYTES:
        raise InputError(path, f"refused: part {part} has no XML element in its first "
                               f"{PROLOG_BYTES // 1024} KB")


class _ExtentScan:
    """Fast path: when every cell tag has the canonical form `<c r="XN"` (column A..AD, row
    at most 1,099,999) and none carries a namespace prefix, each cell's place is its own `r`
    (row tags do not matter) and the grid is bounded by MAX_GRID_CELLS."""

    def __init__(self, path: Path, sheet: str):
        self.path, self.sheet = path, sheet
        self.tail = b""
        self.odd = False

    def feed(self, chunk: bytes) -> None:
        if self.odd:
            return
        data = self.tail + chunk
        limit = len(data) - _OVERLAP       # matches starting later are seen again next time
        self.odd = any(_first_start(pattern, data) < limit for pattern in (_ODD_CELL, _PREFIXED))
        self.tail = data[limit:] if limit > 0 else data

    def finish(self) -> bool:
        """True when the exact scan must decide."""
        return self.odd or any(p.search(self.tail) for p in (_ODD_CELL, _PREFIXED))


def _first_start(pattern: re.Pattern, data: bytes) -> int:
    match = pattern.search(data)
    return match.start() if match else len(data)


def _exact_extent(path: Path, handle, info: zipfile.ZipInfo, sheet: str) -> None:
    """Place every cell as calamine does (its `r`, else one right of the previous cell; rows
    likewise) and refuse the sheet when the grid calamine would build is too large."""
    place = _Placer()
    carry = b""
    for chunk in _inflate(path, handle, info):
        data = carry + chunk
        last = data.rfind(b"<")            # `<` never occurs inside a tag: all before is whole
        whole, carry = (data[:last], data[last:]) if last >= 0 else (data, b"")
        for match in _TAG.finditer(whole):
            place.tag(match.group(1), match.group(2))
        if len(carry) > _MAX_TAG and not _TAG_START.match(carry):
            carry = carry[:64]             # a long text node after the last tag: not needed
        elif len(carry) > 16 * _MAX_TAG:
            raise InputError(path, "refused: a cell tag longer than 16 MB", sheet=sheet)
    for match in _TAG.finditer(carry):
        place.tag(match.group(1), match.group(2))
    if place.hi_r >= 0:
        _check_grid(path, sheet, place.lo_r, place.lo_c, place.hi_r, place.hi_c)


class _Placer:
    """calamine's cell placement: explicit `r` wins; otherwise the next column or row."""

    def __init__(self):
        self.row = self.col = -1
        self.lo_r = self.lo_c = 1 << 62
        self.hi_r = self.hi_c = -1

    def tag(self, kind: bytes, attrs: bytes) -> None:
        ref = _attribute_r(attrs)
        if kind == b"row":
            digits = re.match(rb"\s*(\d+)", ref) if ref is not None else None
            self.row = int(digits.group(1)) - 1 if digits else self.row + 1
            self.col = -1
            return
        parts = _REF.match(ref) if ref is not None else None
        if parts and (parts.group(1) or parts.group(2)):
            letters, digits = parts.groups()
            self.col = _column_number(letters) - 1 if letters else self.col + 1
            self.row = int(digits) - 1 if digits else self.row
        else:
            self.col += 1
        r, c = max(self.row, 0), max(self.col, 0)
        self.lo_r, self.lo_c = min(self.lo_r, r), min(self.lo_c, c)
        self.hi_r, self.hi_c = max(self.hi_r, r), max(self.hi_c, c)


def _attribute_r(attrs: bytes) -> bytes | None:
    for name, double, single in _ATTR.findall(attrs):
        if name == b"r":
            return _unescape(double or single)
    return None


def _unescape(value: bytes) -> bytes:
    if b"&" not in value:
        return value
    def one(match: re.Match) -> bytes:
        body = match.group(1)
        try:
            if body[:1] == b"#":
                code = int(body[2:], 16) if body[1:2] in b"xX" else int(body[1:])
                return chr(code).encode("utf-8", errors="replace")
        except (ValueError, OverflowError):
            return b""
        return _ENTITIES.get(body, b"")
    return _ENTITY.sub(one, value)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _check_grid(path: Path, sheet: str, lo_r: int, lo_c: int, hi_r: int, hi_c: int) -> None:
    cells = (hi_r - lo_r + 1) * (hi_c - lo_c + 1)
    if cells > MAX_GRID_CELLS:
        span = f"{column_letters(lo_c)}{lo_r + 1}:{column_letters(hi_c)}{hi_r + 1}"
        raise InputError(path, f"refused: the cells span {span}, {cells:,} cells, more than the "
                               f"{MAX_GRID_CELLS:,} the reader can hold; delete the stray cells far "
                               "outside the table (Ctrl+End in Excel finds the last one) and save "
                               "again", sheet=sheet, row=hi_r + 1)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_reader_error(exc: BaseException) -> bool:
    """True for what a spreadsheet reader raises on a bad file, Rust panics included.

    calamine (via fastexcel / python-calamine) turns a panic into pyo3's `PanicException`,
    which derives from BaseException, so `except Exception` misses it; Ctrl+C and exits
    must still propagate.
    """
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


#: catch with `except READER_ERRORS as exc:` and then `if not is_reader_error(exc): raise`
READER_ERRORS = (BaseException,)
