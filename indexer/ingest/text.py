"""Plain-text files: decode whatever encoding staff saved them in."""

from __future__ import annotations

import re

from ..model import RejectedFile

_BOM = "\ufeff"


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode UTF-8 (with or without BOM), else cp1252; normalise line ends.

    Returns the text and warnings. Bytes that are neither (binary data) are
    rejected rather than indexed as noise.
    """
    warnings: list[str] = []
    if not data.strip():
        raise RejectedFile("empty file")
    if b"\x00" in data[:4096]:
        raise RejectedFile("binary data, not text (NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
        warnings.append("not UTF-8: decoded as cp1252")
    text = text.lstrip(_BOM).replace("\r\n", "\n").replace("\r", "\n")
    if _control_ratio(text) > 0.02:
        raise RejectedFile("binary data, not text (control characters)")
    return text, warnings


def _decode_legacy(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        # cp1252 leaves five bytes undefined; text with them is not cp1252 text.
        raise RejectedFile(f"not text in UTF-8 or cp1252 ({exc.reason})") from None


def _control_ratio(text: str) -> float:
    bad = len(_CONTROL.findall(text))
    bad += text.count("\ufffd")
    return bad / max(len(text), 1)


# Control characters other than tab, line feed and form feed (which the
# canonical text uses): binary data, not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0d-\x1f]")
