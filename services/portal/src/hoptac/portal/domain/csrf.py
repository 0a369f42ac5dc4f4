"""Form tokens against cross-site request forgery: OWASP's signed double-submit pattern.

The browser holds a random nonce in an HttpOnly, SameSite cookie; every form carries
HMAC(key, nonce | session). A forged form from another site can read neither the cookie nor the
key, so it cannot carry a token that matches; and a token stops matching when the session
changes (sign-in, sign-out), so one taken before cannot be replayed after.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

NONCE_BYTES = 32
MAX_TOKEN_CHARS = 128


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def form_token(key: bytes, nonce: str, session: str | None) -> str:
    message = f"{nonce}|{session or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def token_matches(key: bytes, nonce: str | None, session: str | None, sent: str | None) -> bool:
    if not nonce or not sent or len(sent) > MAX_TOKEN_CHARS:
        return False
    return hmac.compare_digest(form_token(key, nonce, session), sent)
