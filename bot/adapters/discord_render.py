"""Render a neutral Reply as Discord messages: embeds plus persistent buttons, split to Discord's limits.

Discord rejects a message over its limits instead of truncating it, so a long reply is split into
several messages rather than failing. User text is escaped so it can never ping anyone; the
allowed_mentions of every message is the second lock on that door.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import lru_cache

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.adapters.render_text import split_text
from bot.core.model import Attachment, Button, Link, Reply, Style
from bot.core.text import Mention, split_mentions

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_ROW = 5
ROWS_MAX = 5
CUSTOM_ID_MAX = 100
LABEL_MAX = 80
CUSTOM_ID_PREFIX = "sb"
MAX_FILES = 10  # attachments per message
COLOUR = discord.Colour(0x5865F2)

_INLINE = re.compile(r"(\*\*.+?\*\*|`[^`\n]+`)")
_NEEDS_MARKDOWN_ESCAPE = re.compile(r"[\\*_~|`>#\[\]]|^\s*-", re.MULTILINE)
# escape_markdown only escapes a whole [text](url); bold or code splits a masked link into pieces
# ("[", "**click**", "](http://…)"), so every bracket is escaped on its own. Brackets are parked on
# private-use characters (sanitize() drops those from user text) while escape_markdown runs, so its
# escaping of backslashes can't turn our "\[" back into a live "[".
_PARK = str.maketrans({"[": "\ue000", "]": "\ue001"})
_UNPARK = str.maketrans({"\ue000": "\\[", "\ue001": "\\]"})
_ANGLE = re.compile(r"<(?=[@#!/:&a])")  # <@&role>, <#channel>, </cmd:1>: shown as text, never resolved
_STYLES = {Style.PRIMARY: discord.ButtonStyle.primary, Style.DANGER: discord.ButtonStyle.danger,
           Style.DEFAULT: discord.ButtonStyle.secondary}


@dataclass
class OutMessage:
    """One Discord message: what to pass to send()/followup.send()."""

    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    mentioned: set[int] = field(default_factory=set)
    content: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def allowed_mentions(self) -> discord.AllowedMentions:
        return allowed_mentions(self.mentioned)

    def view(self) -> discord.ui.View | None:
        return build_view(self.buttons) if self.buttons else None

    def kwargs(self) -> dict:
        """Keyword arguments for Messageable.send / Webhook.send (no view when there are no buttons)."""
        out: dict = {"embeds": self.embeds, "allowed_mentions": self.allowed_mentions}
        if self.content:
            out["content"] = self.content
        view = self.view()
        if view is not None:
            out["view"] = view
        if self.attachments:
            out["files"] = self.files()
        return out

    def files(self) -> list[discord.File]:
        """Fresh discord.File objects (a File is consumed by one send)."""
        return [discord.File(io.BytesIO(a.data), filename=a.filename, description=a.alt[:1024] or None)
                for a in self.attachments]


def allowed_mentions(user_ids: set[int] | None = None) -> discord.AllowedMentions:
    """Never @everyone/@here or roles; only the users the reply deliberately mentions."""
    users: list[discord.Object] | bool = [discord.Object(i) for i in sorted(user_ids or ())] or False
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


def escape_plain(text: str) -> str:
    """User-visible text that cannot format, ping or resolve to a role/channel."""
    if _NEEDS_MARKDOWN_ESCAPE.search(text):  # most text has nothing to escape; skip the costly pass
        text = escape_markdown(text.translate(_PARK)).translate(_UNPARK)
    if "@" in text:
        text = escape_mentions(text)
    return _ANGLE.sub("<\u200b", text) if "<" in text else text


def _inline(text: str) -> str:
    out = []
    for piece in _INLINE.split(text):
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            out.append("**" + escape_plain(piece[2:-2]) + "**")
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
            out.append("`" + _ANGLE.sub("<\u200b", escape_mentions(piece[1:-1])) + "`")
        elif piece:
            out.append(escape_plain(piece))
    return "".join(out)


def _line(line: str, mentioned: set[int]) -> str:
    bullet = line.startswith("- ")
    body = line[2:] if bullet else line
    out = []
    for piece in split_mentions(body):
        if isinstance(piece, Mention):
            if piece.user_id.isdigit():
                mentioned.add(int(piece.user_id))
                out.append(f"<@{piece.user_id}>")
            else:
                out.append("@" + escape_plain(piece.name))
        else:
            out.append(_inline(piece))
    return ("- " if bullet else "") + "".join(out)


def markdown(text: str, mentioned: set[int]) -> str:
    """The neutral markdown subset as Discord markdown (the same syntax, with user text escaped).

    Inside a ``` block nothing is escaped (backslashes would show, and break JSON); Discord renders
    no mentions there, and a fence inside the content is broken up so it cannot end the block.
    """
    out, in_code = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            out.append(line)
        else:
            out.append(line.replace("```", "`\u200b``") if in_code else _line(line, mentioned))
    return "\n".join(out)


def plain(text: str) -> str:
    """For places Discord shows verbatim (embed footers): markers dropped, so no raw ** or backticks."""
    return escape_mentions(text.replace("**", "").replace("`", ""))


def _link(link: Link) -> str:
    """A masked link: only content makes Links, and the title is escaped so it cannot nest another."""
    title = escape_plain(link.title).replace("]", "\\]")
    note = f" ({escape_plain(link.note)})" if link.note else ""
    return f"- [{title}]({link.url.replace(')', '%29')}){note}"


def _size(embed: discord.Embed) -> int:
    return len(embed)  # discord.py counts title, description, fields, footer and author


def _embeds(reply: Reply, mentioned: set[int]) -> list[discord.Embed]:
    title = split_text(markdown(reply.title, mentioned), TITLE_MAX)[:1] if reply.title else []
    body = "\n\n".join(markdown(s, mentioned) for s in reply.sections if s)
    descriptions = split_text(body, DESCRIPTION_MAX) or [""]
    embeds = [discord.Embed(title=title[0] if title and i == 0 else None, description=d or None, colour=COLOUR)
              for i, d in enumerate(descriptions)]
    for f in reply.fields:
        name = (split_text(markdown(f.name, mentioned), FIELD_NAME_MAX) or ["\u200b"])[0]
        for part in split_text(markdown(f.value, mentioned), FIELD_VALUE_MAX) or ["\u200b"]:
            last = embeds[-1]
            if len(last.fields) >= FIELDS_MAX or _size(last) + len(name) + len(part) > EMBED_TOTAL_MAX - FOOTER_MAX:
                last = discord.Embed(colour=COLOUR)
                embeds.append(last)
            last.add_field(name=name, value=part, inline=f.inline and "\n" not in part)
    if reply.links:
        embeds[-1].add_field(name="Learn more", value="\n".join(_link(link) for link in reply.links)[:FIELD_VALUE_MAX],
                             inline=False)
    footer = (split_text(plain(reply.footer), FOOTER_MAX) or [""])[0]
    if footer:
        if _size(embeds[-1]) + len(footer) > EMBED_TOTAL_MAX:
            embeds.append(discord.Embed(colour=COLOUR))
        embeds[-1].set_footer(text=footer)
    for embed in embeds:
        if not _size(embed):  # Discord rejects an empty embed
            embed.description = "\u200b"
    return embeds


def custom_id(button: Button) -> str:
    return f"{CUSTOM_ID_PREFIX}:{button.action_id}:{button.value}"


def parse_custom_id(value: str) -> tuple[str, str]:
    """(action_id, value); anything not ours comes back as an action core will call stale."""
    prefix, _, rest = value.partition(":")
    action_id, _, button_value = rest.partition(":")
    if prefix != CUSTOM_ID_PREFIX or not action_id:
        return "stale", ""
    return action_id, button_value


class StaticView(discord.ui.View):
    """Buttons only: clicks are routed by custom_id in the adapter's on_interaction, so discord.py
    must not keep these views in memory (with no timeout they would pile up for ever)."""

    def is_finished(self) -> bool:
        return True

    def is_dispatchable(self) -> bool:
        return False


def build_view(buttons: list[Button]) -> discord.ui.View:
    view = StaticView(timeout=None)
    for index, button in enumerate(buttons[: BUTTONS_PER_ROW * ROWS_MAX]):
        view.add_item(discord.ui.Button(label=button.label[:LABEL_MAX], custom_id=custom_id(button),
                                        style=_STYLES.get(button.style, discord.ButtonStyle.secondary),
                                        row=index // BUTTONS_PER_ROW))
    return view


def _usable(buttons: tuple[Button, ...]) -> list[Button]:
    """Buttons whose custom_id fits; a longer one would make Discord reject the whole message."""
    seen: set[str] = set()
    usable = []
    for button in buttons:
        cid = custom_id(button)
        if len(cid) <= CUSTOM_ID_MAX and cid not in seen:
            seen.add(cid)
            usable.append(button)
    return usable


def render(reply: Reply) -> tuple[OutMessage, ...]:
    """One or more messages; buttons ride on the last, 25 to a message.

    Cached: the same skill card goes to many people, and a Reply is immutable. Callers only read
    the result (views are built fresh per send).
    """
    try:
        return _render_cached(reply)
    except TypeError:  # a Reply built with a list inside is not hashable: render it uncached
        return _render(reply)


@lru_cache(maxsize=512)
def _render_cached(reply: Reply) -> tuple[OutMessage, ...]:
    return _render(reply)


def _render(reply: Reply) -> tuple[OutMessage, ...]:
    mentioned: set[int] = set()
    messages: list[OutMessage] = []
    for embed in _embeds(reply, mentioned):
        last = messages[-1] if messages else None
        if (last is None or len(last.embeds) >= EMBEDS_PER_MESSAGE
                or sum(map(_size, last.embeds)) + _size(embed) > EMBED_TOTAL_MAX):
            last = OutMessage()
            messages.append(last)
        last.embeds.append(embed)
    buttons = _usable(reply.buttons)
    per_message = BUTTONS_PER_ROW * ROWS_MAX
    for start in range(0, len(buttons), per_message):
        if start:
            messages.append(OutMessage(content="\u2026"))
        messages[-1].buttons = buttons[start : start + per_message]
    for message in messages:
        message.mentioned = set(mentioned)
    _attach(messages[-1], reply.attachments)
    return tuple(messages)


def _attach(message: OutMessage, attachments: tuple[Attachment, ...]) -> None:
    """Files ride on the last message; the first picture is shown inside its last embed."""
    message.attachments = attachments[:MAX_FILES]
    image = next((a for a in message.attachments if a.is_image), None)
    if image is not None and message.embeds:
        message.embeds[-1].set_image(url=f"attachment://{image.filename}")
