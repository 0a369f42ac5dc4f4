"""Headers on every answer: nothing on a page may come from another host, be framed, or be
sniffed into another type; assets are cached, pages revalidated (see rendering.py).

They replace the platform's defaults, which suit a JSON API (`default-src 'none'`) and would
blank a page that loads its own style sheet, font and script."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
ASSETS_PREFIX = "/assets/"
ASSETS_CACHE = "public, max-age=86400"  # asset URLs carry the version they serve

# Encoded once: setting seven headers one by one through MutableHeaders, on every answer,
# cost a few percent of a page's CPU.
_ENCODED = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
_REPLACED = frozenset(name for name, _ in _ENCODED)
_CACHE_CONTROL = (b"cache-control", ASSETS_CACHE.encode())


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_asset = str(scope.get("path", "")).startswith(ASSETS_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                cached = is_asset and message["status"] in (200, 304)
                replaced = _REPLACED | {_CACHE_CONTROL[0]} if cached else _REPLACED
                headers = [h for h in message.get("headers", []) if h[0].lower() not in replaced]
                message["headers"] = [*headers, *_ENCODED, *([_CACHE_CONTROL] if cached else [])]
            await send(message)

        await self.app(scope, receive, with_headers)
