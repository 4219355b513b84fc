"""Render a neutral Reply as Slack Block Kit messages plus plain-text fallbacks.

Slack rejects a message that breaks a limit, so everything is split to fit instead:
3,000 characters per section text, 10 fields per section, 25 buttons per actions block and
50 blocks per message (a long reply becomes several messages). Text is escaped (& < >) so user
text can never become <!channel>, and no message ever pings: members are named, never <@U123>.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.adapters.render_text import split_text
from bot.core.model import Link, Reply, Style
from bot.core.text import Mention, split_mentions

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
CONTEXT_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
VALUE_LIMIT = 2000
ACTION_ID_LIMIT = 255
MAX_BLOCKS = 50
MAX_FIELDS = 10
MAX_BUTTONS = 25
FALLBACK_LIMIT = 3000
ACTION_SEPARATOR = "~"  # "<neutral action id>~<n>": Slack wants action ids unique within a block

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`\n]+)`")


@dataclass
class SlackMessage:
    blocks: list[dict] = field(default_factory=list)
    text: str = ""  # notification / accessibility fallback


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mrkdwn_piece(text: str) -> str:
    text = escape(text)
    text = _BOLD.sub(r"*\1*", text)
    return "\n".join("• " + line[2:] if line.startswith("- ") else line for line in text.split("\n"))


def mrkdwn(text: str) -> str:
    """The neutral markdown subset as Slack mrkdwn, escaped; mentions as the member's display name in
    plain text, because any <@U123> notifies that member (a weekly digest would ping the whole team)."""
    out = []
    for piece in split_mentions(text):
        out.append(escape(piece.name) if isinstance(piece, Mention) else _mrkdwn_piece(piece))
    return "".join(out)


def plain(text: str) -> str:
    """For plain_text objects (headers, buttons): markers dropped, mentions as @name, escaped too."""
    out = []
    for piece in split_mentions(text):
        out.append(f"@{piece.name}" if isinstance(piece, Mention) else piece)
    return escape(_CODE.sub(r"\1", _BOLD.sub(r"\1", "".join(out))))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header(title: str) -> list[dict]:
    text = plain(title).strip()
    if len(text) <= HEADER_LIMIT and "\n" not in text:
        return [{"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}]
    # Too long for a header: the same words as bold section text, split to fit.
    return [_section(f"*{chunk}*") for chunk in split_text(mrkdwn(title).replace("*", ""), SECTION_LIMIT - 2)]


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _fields(reply: Reply) -> list[dict]:
    blocks: list[dict] = []
    inline: list[dict] = []

    def flush() -> None:
        for start in range(0, len(inline), MAX_FIELDS):
            blocks.append({"type": "section", "fields": inline[start:start + MAX_FIELDS]})
        inline.clear()

    for f in reply.fields:
        text = f"*{mrkdwn(f.name)}*\n{mrkdwn(f.value)}"
        if f.inline and len(text) <= FIELD_LIMIT:
            inline.append({"type": "mrkdwn", "text": text})
            continue
        flush()
        blocks += [_section(chunk) for chunk in split_text(text, SECTION_LIMIT)]
    flush()
    return blocks


def _link(link: Link) -> str:
    # The url comes from content (https, no spaces or angle brackets); "|" would end it early.
    title = escape(link.title).replace("|", "/")
    note = f" ({escape(link.note)})" if link.note else ""
    return f"• <{link.url.replace('|', '%7C')}|{title}>{note}"


def _links(reply: Reply) -> list[dict]:
    if not reply.links:
        return []
    return [_section("*Learn more*\n" + "\n".join(_link(link) for link in reply.links))]


def _buttons(reply: Reply) -> list[dict]:
    elements = []
    for n, button in enumerate(reply.buttons):
        action_id = f"{button.action_id}{ACTION_SEPARATOR}{n}"
        if len(action_id) > ACTION_ID_LIMIT or len(button.value) > VALUE_LIMIT:
            continue  # cannot round-trip through Slack: leave it out rather than fail the message
        element = {"type": "button", "action_id": action_id, "value": button.value,
                   "text": {"type": "plain_text", "text": _truncate(plain(button.label), BUTTON_TEXT_LIMIT) or "…",
                            "emoji": True}}
        if button.style in (Style.PRIMARY, Style.DANGER):
            element["style"] = button.style.value
        elements.append(element)
    return [{"type": "actions", "elements": elements[i:i + MAX_BUTTONS]} for i in range(0, len(elements), MAX_BUTTONS)]


def parse_action_id(action_id: str) -> str:
    """The neutral action id from a Slack one ("track.switch~0" -> "track.switch")."""
    head, sep, tail = action_id.rpartition(ACTION_SEPARATOR)
    return head if sep and tail.isdigit() else action_id


def fallback(reply: Reply) -> str:
    return _truncate(mrkdwn(reply.plain_text()).replace("*", ""), FALLBACK_LIMIT) or " "


def reply_blocks(reply: Reply) -> list[dict]:
    """All blocks of a reply, each within its own limits (the message count is not limited here)."""
    blocks: list[dict] = []
    if reply.title:
        blocks += _header(reply.title)
    for section in reply.sections:
        blocks += [_section(chunk) for chunk in split_text(mrkdwn(section), SECTION_LIMIT)]
    blocks += _fields(reply)
    blocks += _links(reply)
    if reply.footer:
        blocks += [{"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]}
                   for chunk in split_text(mrkdwn(reply.footer), CONTEXT_LIMIT)]
    blocks += _buttons(reply)
    for n, block in enumerate(blocks):
        block["block_id"] = f"b{n}"
    return blocks


def render(reply: Reply) -> list[SlackMessage]:
    """One or more messages of at most 50 blocks; the fallback text goes with the first."""
    blocks = reply_blocks(reply)
    text = fallback(reply)
    if not blocks:
        return [SlackMessage([], text)]
    messages = [SlackMessage(blocks[i:i + MAX_BLOCKS], "") for i in range(0, len(blocks), MAX_BLOCKS)]
    messages[0].text = text
    for n, message in enumerate(messages[1:], start=2):
        message.text = f"(continued {n}/{len(messages)})"
    return messages


def home_view(replies: list[Reply]) -> dict:
    """The App Home tab: the replies' blocks stacked, without buttons, within a view's 100 blocks."""
    blocks: list[dict] = []
    for reply in replies:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += [b for b in reply_blocks(reply) if b["type"] != "actions"]
    blocks = blocks[:100]
    for n, block in enumerate(blocks):
        block["block_id"] = f"h{n}"
    return {"type": "home", "blocks": blocks}
