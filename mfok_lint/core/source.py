"""Reading and writing source text: bytes to text and back without losing a byte.

Files are decoded as UTF-8 (a BOM is remembered and restored on write) or by their PEP 263 coding cookie; text is
never newline-translated, so offsets, CRLF and fixes stay exact.
"""

from __future__ import annotations

import tokenize
from io import BytesIO
from typing import Optional, Tuple


class DecodeError(ValueError):
    pass


def decode_source(raw: bytes) -> Tuple[str, bool]:
    """(text, had_bom). UTF-8 first, then the PEP 263 cookie; DecodeError with a one-line reason otherwise."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(raw).readline)
        if encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig"):
            return raw.decode(encoding), False
    except (SyntaxError, LookupError, UnicodeDecodeError):
        pass
    raise DecodeError(f"file is not valid UTF-8 (byte {utf8_error.start}: {utf8_error.reason})")


def encode_source(text: str, bom: bool, raw_original: Optional[bytes] = None) -> bytes:
    if raw_original is not None and not raw_original.startswith(b"\xef\xbb\xbf"):
        try:
            encoding, _ = tokenize.detect_encoding(BytesIO(raw_original).readline)
        except SyntaxError:
            encoding = "utf-8"
        if encoding not in ("utf-8", "utf-8-sig"):
            return text.encode(encoding)
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data
