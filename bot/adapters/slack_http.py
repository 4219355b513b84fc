"""Slack's HTTP endpoint, checked before slack-bolt sees anything.

Why not leave it to bolt: bolt verifies the *last* signature header while a naive replay guard reads
the first, logs the full body of unsigned requests at INFO, answers malformed bodies with a 500, and
parses any form body containing the word "payload" as an interactive payload (a slash command asking
"what is a payload" arrives empty). So a request is verified here (exactly one signature and one
timestamp, fresh, valid, never seen by any replica), its body parsed here, and only then handed to bolt.
"""
from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

SIGNATURE = "X-Slack-Signature"
TIMESTAMP = "X-Slack-Request-Timestamp"
MAX_AGE = 60 * 5  # Slack's documented tolerance for the request timestamp


def signed_headers(headers: CIMultiDictProxy[str], now: float | None = None) -> tuple[str, str] | None:
    """(timestamp, signature) when each header appears exactly once and the timestamp is fresh; else None.

    Checked before the body is read, so an unsigned flood costs nothing but its headers.
    """
    signatures, timestamps = headers.getall(SIGNATURE, []), headers.getall(TIMESTAMP, [])
    if len(signatures) != 1 or len(timestamps) != 1 or not timestamps[0].isdigit():
        return None
    now = time.time() if now is None else now
    if abs(now - int(timestamps[0])) > MAX_AGE:
        return None
    return timestamps[0], signatures[0]


def valid_signature(secret: str, body: str, timestamp: str, signature: str) -> bool:
    """Slack's v0 HMAC over the exact body (compared in constant time)."""
    return SignatureVerifier(secret).is_valid(body, timestamp, signature)


def parse_body(body: str, content_type: str) -> dict[str, Any]:
    """The request as Slack meant it: JSON events, a form slash command, or a form-wrapped JSON payload.

    Raises ValueError or TypeError on a body Slack would never send.
    """
    if content_type == "application/json" or body.lstrip().startswith("{"):
        parsed = json.loads(body)
    else:
        form = dict(parse_qsl(body, keep_blank_values=True))
        # Only an interactive request is a form whose field *is* "payload"; a slash command's text or
        # channel name may contain the word and is still a slash command.
        parsed = json.loads(form["payload"]) if "payload" in form and "command" not in form else form
    if not isinstance(parsed, dict):
        raise TypeError("the body is not an object")
    return parsed


def acks_with_nothing(parsed: dict[str, Any]) -> bool:
    """Slash commands and button clicks: the request kinds whose acknowledgement carries nothing."""
    return bool(parsed.get("command")) or parsed.get("type") == "block_actions"


def bolt_request(body: str, parsed: dict[str, Any], query: str, headers: CIMultiDictProxy[str]) -> AsyncBoltRequest:
    """An HTTP-mode bolt request carrying our parse of the body, not bolt's."""
    request = AsyncBoltRequest(body="", query=query, headers={k: headers.getall(k) for k in headers})
    request.raw_body = body  # bolt's own signature check reads the raw body; it passes, we checked it
    request.body = parsed
    request.context = build_async_context(AsyncBoltContext({}), parsed)
    return request
