"""Time-based one-time passwords (RFC 6238) for the second factor."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = "Taut"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI (an <img>, so no markup is injected into the page)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, dark="#1d2b36"))


def accepted_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """Return the time step the code belongs to (one step of drift allowed), or None.

    A step at or before `last_step` is refused, so a code can be used once only.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6) or not secret:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    step_now = int(now // totp.interval)
    for step in (step_now, step_now - 1, step_now + 1):
        if step > last_step and totp.at(step * totp.interval) == code:
            return step
    return None


def current_code(secret: str) -> str:
    return str(pyotp.TOTP(secret).now())
