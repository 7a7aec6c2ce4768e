"""Make read text safe for the index: no invisible characters, no giant tokens.

Every reader's text passes through here, so a NUL byte, a zero-width joiner or
a bidi control can neither hide a word from search (``tryg\\u200dghet`` is
found as *trygghet*) nor reach a page. A run of word characters longer than
MAX_TOKEN_CHARS is broken into pieces: no Swedish word is that long, and the
cost of correcting a token towards the lexicon grows with its length cubed.
"""

from __future__ import annotations

import re
import unicodedata

# Longest word kept whole; the longest compounds in the corpus have about 45.
MAX_TOKEN_CHARS = 64
# C0/C1 controls but tab, newline, carriage return and form feed (page breaks),
# and every format character (Cf: zero-width joiners and spaces, bidi controls,
# soft hyphens, byte order marks).
# The Cf ranges of Unicode 14 (tests/test_attacks.py checks them against
# unicodedata), spelled out: building them at import takes most of a second.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# A run longer than MAX_TOKEN_CHARS, matched only where a run starts: tried at
# every position, as "\w{64}(?=\w)" was, each word is scanned once per letter.
_LONG_TOKEN = re.compile(rf"(?<!\w)\w{{{MAX_TOKEN_CHARS + 1},}}")


def normalize_text(text: str) -> str:
    """NFC text without control or format characters, long tokens broken up."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return _LONG_TOKEN.sub(_broken, text)


def _broken(match: re.Match) -> str:
    """A long run as pieces of MAX_TOKEN_CHARS (the last may be shorter)."""
    run = match.group(0)
    return " ".join(
        run[i : i + MAX_TOKEN_CHARS] for i in range(0, len(run), MAX_TOKEN_CHARS)
    )
