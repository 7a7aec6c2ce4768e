"""Security headers every response carries (a leaf: the app and views read it)."""

from __future__ import annotations

SECURITY_HEADERS = {
    # No inline script or style anywhere: the corpus is untrusted input.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
