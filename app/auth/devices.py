"""The known-device cookie: the accounts that have signed in with a password in this browser.

Set at every successful password sign-in. A later attempt for one of those
accounts from this browser is exempt from the account's, the address's and the
service-wide delays, so nobody else's guessing can slow the owner down where
they have signed in before; its own failures still count, for this device
alone (throttle.py). Signed, HttpOnly, sent only to /signin, and it names
accounts by a keyed digest, never by username.
"""

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from app.auth.throttle import KnownDevice
from app.core.config import get_settings
from app.core.security import sign, unsign

DEVICE_COOKIE = "mylife_device"
DEVICE_COOKIE_PATH = "/signin"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
MAX_ACCOUNTS = 5  # a shared family tablet; the most recent ones are kept
PURPOSE = "known-device"


def known_device(request: Request) -> KnownDevice | None:
    value = unsign(request.cookies.get(DEVICE_COOKIE), PURPOSE)
    device_id, _sep, accounts = (value or "").partition(":")
    if not device_id or not accounts:
        return None
    return KnownDevice(device_id, tuple(accounts.split(",")[:MAX_ACCOUNTS]))


KnownDeviceDep = Annotated[KnownDevice | None, Depends(known_device)]


def remember_device(response: Response, device: KnownDevice | None, account_key: str) -> None:
    """Add the account to this browser's known-device cookie (or start one)."""
    device_id = device.id if device is not None else secrets.token_urlsafe(16)
    earlier = [key for key in device.accounts if key != account_key] if device else []
    accounts = [account_key, *earlier][:MAX_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        sign(f"{device_id}:{','.join(accounts)}", PURPOSE),
        max_age=DEVICE_COOKIE_MAX_AGE,
        path=DEVICE_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
