"""Read a text export (CSV, JSON) safely: size limits, encodings, one clear error.

Analysts bring CSVs saved by Excel ("Unicode text" is UTF-16 with a BOM), by web portals
(UTF-8, sometimes with a BOM) and by old Windows tools (cp1252). Decoding is decided here,
once, so every text importer reports the encoding it used and never guesses silently.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

MAX_TEXT_BYTES = 1024**3  # 1 GiB: a larger trade CSV is refused with a clear message
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class TextFile:
    path: Path
    text: str
    encoding: str          # the codec actually used
    note: str = ""         # a warning for the report, e.g. cp1252 fallback

    def lines(self) -> list[str]:
        return self.text.splitlines()


def sniff_encoding(head: bytes) -> str | None:
    """Encoding implied by a BOM or by UTF-16's zero bytes; None when plain 8-bit text."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:2000]
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    return None


def decode_head(head: bytes) -> str:
    """Best-effort text of a file's first bytes, for format sniffing only."""
    encoding = sniff_encoding(head) or "utf-8"
    return head.decode(encoding, errors="replace").lstrip("\ufeff")


def read_text(path: str | Path, *, max_bytes: int = MAX_TEXT_BYTES) -> TextFile:
    """Decode a whole text file, or raise InputError naming the file and the problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"the file is {size / 1024**2:,.0f} MB; text exports over "
                                   f"{max_bytes / 1024**2:,.0f} MB are refused")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(path, "the file is empty")
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(path, "this is a spreadsheet (zip or legacy Excel), not a text file; "
                               "check the file extension")
    encoding = sniff_encoding(data[:4096])
    if encoding:
        try:
            return TextFile(path, data.decode(encoding).lstrip("\ufeff"), encoding)
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not valid {encoding} text at byte {exc.start}") from None
    if b"\x00" in data:
        raise InputError(path, "binary data (NUL bytes) in what should be a text export")
    try:
        return TextFile(path, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return TextFile(path, data.decode("cp1252", errors="replace"), "cp1252",
                        note=f"not UTF-8 (first bad byte on line {line}); read as Windows-1252")


def csv_rows(text: TextFile | str, *, delimiter: str | None = None) -> list[list[str]]:
    """All rows of a CSV as lists of strings (quotes handled, CRLF or LF, ragged rows kept)."""
    body = text.text if isinstance(text, TextFile) else text
    if delimiter is None:
        first = body[:4096].splitlines()[0] if body else ""
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
