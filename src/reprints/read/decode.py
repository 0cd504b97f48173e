"""Turn raw bytes into text: UTF-8 (with or without BOM), else a detected encoding.

The decoded text is kept exactly (no-break spaces, curly quotes, lookalike letters), with
one exception: NUL characters are removed, because no article contains them and they break
the tools people open results with. The caller reports how many were removed.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that never occur in text (tab, newlines, form feed and escape do).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_HIGH = bytes(range(128, 256))
SNIFF_BYTES = 8192
"""How many leading bytes are looked at to tell text from binary data."""
BINARY_SHARE = 0.05
"""Share of control bytes in the first SNIFF_BYTES above which a file is binary data."""
# Characters a Western (cp1252) text plausibly holds beyond ASCII: letters and the usual
# typographic and currency signs. Anything else (superscript digits from Polish "ł", for
# instance) sends the bytes to charset-normalizer instead.
_WESTERN_SIGNS = set("£€¥¢©®™°§¶·•–—‘’‚“”„…«»‹›¡¿×÷½¼¾\u00a0\u00ad")
_NUL_RE = re.compile("\x00")


class DecodeError(InputError):
    """Bytes that are not text in any encoding reprints can tell."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and how many NULs were removed and bad bytes replaced."""

    text: str
    encoding: str
    nuls: int = 0
    replaced: int = 0


def looks_binary(head: bytes) -> bool:
    """Tell whether leading bytes are binary data rather than text in an 8-bit or UTF-8 encoding."""
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" not in head and _valid_utf8_start(head):
        return False  # control characters in valid UTF-8 are odd text, not binary data
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls / len(head) > BINARY_SHARE


def _valid_utf8_start(head: bytes) -> bool:
    """Tell whether ``head`` is valid UTF-8, allowing a sequence cut off at its end."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.reason == "unexpected end of data" and err.start >= len(head) - 3
    return True


def decode(raw: bytes, declared: str | None = None) -> Decoded:
    """Decode ``raw``: a BOM wins, then UTF-8, then ``declared`` (e.g. an HTML charset), then detection.

    Raises :class:`DecodeError` for binary data and bytes no encoding explains.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            name = "utf-8" if encoding == "utf-8-sig" else encoding
            try:
                return _finish(raw.decode(encoding), name)
            except UnicodeDecodeError:
                # A BOM says what the file is; a truncated or damaged tail must not lose the
                # rest, so keep it with the bad bytes replaced (reported as a warning).
                text = raw.decode(encoding, errors="replace")
                finished = _finish(text, name)
                return Decoded(finished.text, name, finished.nuls, max(1, text.count("\ufffd")))
    try:
        return _finish(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        utf8_error = err
    if looks_binary(raw[:SNIFF_BYTES]):
        raise DecodeError("binary data, not text")
    mostly = _mostly_utf8(raw)
    if mostly is not None:
        return mostly
    if declared:
        try:
            return _finish(raw.decode(declared), codecs.lookup(declared).name)
        except (LookupError, UnicodeDecodeError):
            pass
    western = _western(raw)
    if western is not None:
        return _finish(western, "cp1252")
    text, encoding = _detect(raw, utf8_error)
    return _finish(text, encoding)


def _finish(text: str, encoding: str) -> Decoded:
    nuls = text.count("\x00")
    if nuls:
        text = _NUL_RE.sub("", text)
    return Decoded(text, encoding, nuls)


def _mostly_utf8(raw: bytes) -> Decoded | None:
    """Decode UTF-8 with a few broken bytes as UTF-8, replacing those bytes with U+FFFD.

    Without this, one corrupt byte in a UTF-8 article would send the whole file to cp1252
    and turn every accented letter into mojibake.
    """
    text = raw.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - raw.count("\ufffd".encode())
    multibyte = sum(1 for c in text if ord(c) > 127) - text.count("\ufffd")
    if multibyte < 2 * replaced or replaced > max(3, len(raw) // 10_000):
        return None
    finished = _finish(text, "utf-8")
    return Decoded(finished.text, "utf-8", finished.nuls, replaced)


def _western(raw: bytes) -> str | None:
    """Decode mostly-ASCII bytes as cp1252 when every non-ASCII character is plausible there.

    charset-normalizer guesses Japanese or Chinese for an English text whose only non-ASCII
    byte is a Latin-1 "£" (as in METER's newspaper files); this check catches that case.
    """
    high = len(raw) - len(raw.translate(None, _HIGH))
    if high > 0.1 * len(raw):
        return None
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    for char in {c for c in text if ord(c) > 127}:
        if char not in _WESTERN_SIGNS and not unicodedata.category(char).startswith("L"):
            return None
    return text


def _detect(raw: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise DecodeError(
            f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no other encoding fits"
        )
    return str(best), best.encoding
