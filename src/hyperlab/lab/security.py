"""The lab's front door: a request whose ``Host`` is not the lab's own address is refused (a page
on another site cannot reach the lab through DNS rebinding), a state-changing request from another
``Origin`` is refused (no cross-site request forgery), and every answer says where scripts, styles
and fonts may come from (only the lab)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
REPORT_POLICY = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
                 "frame-ancestors 'none'")


class Guard:
    """ASGI middleware: Host and Origin checks, and security headers on every response."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self.refusal(scope["method"], headers)
        if problem:
            await _plain(send, 403, problem)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"cross-origin-resource-policy", b"same-origin")]
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", PAGE_POLICY.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def refusal(self, method: str, headers: dict[str, str]) -> str | None:
        """Why a request is refused, or None."""
        host = headers.get("host", "").lower()
        if host not in self.allowed_hosts:
            return f"host={host!r} is invalid: the lab answers only to {', '.join(sorted(self.allowed_hosts))}"
        if method.upper() in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.allowed_origins:
            return f"origin={origin!r} is invalid: changes are accepted only from the lab's own page"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "sec-fetch-site is invalid: changes are accepted only from the lab's own page"
        return None


async def _plain(send: Callable, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
