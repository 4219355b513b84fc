"""The neutral vocabulary every adapter speaks: who, where, what was said, and what to answer."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class UserRef:
    """A person on one platform. The same human on Slack and Discord is two users."""

    platform: str
    workspace: str
    user_id: str
    name: str = ""
    is_admin: bool = False
    tz: str | None = None  # IANA zone when the platform tells us (Slack users.info)
    dm_channel: str = ""  # the user's DM channel id when known, so a DM needs no "open DM" request


@dataclass(frozen=True)
class ChannelRef:
    """A place a message can go: a channel, or a DM when is_dm is set."""

    platform: str
    workspace: str
    channel_id: str
    name: str = ""
    is_dm: bool = False


@dataclass(frozen=True)
class Action:
    """A button press: the action id and the value the button carried."""

    action_id: str
    value: str = ""
    message_ts: str = ""


@dataclass(frozen=True)
class Command:
    """One thing a user did: typed text after /skill, or pressed a button."""

    user: UserRef
    channel: ChannelRef
    text: str = ""
    action: Action | None = None

    @property
    def value(self) -> str:
        """The pressed button's value ("" for typed text)."""
        return self.action.value if self.action else ""


class Style(str, Enum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: Style = Style.DEFAULT


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Link:
    """A link to somewhere to learn more. Only content (never user text) makes links, so adapters may
    render it as a real masked link: Slack <url|title>, Discord [title](url), the console title: url."""

    title: str
    url: str  # https only (content/SCHEMA.md)
    note: str = ""  # e.g. "course, free"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply: a picture (PNG) or a document (JSON). Adapters upload or attach it."""

    filename: str
    data: bytes
    content_type: str  # e.g. image/png, application/json
    alt: str = ""  # what it shows, for screen readers and platforms that can't display it

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True)
class Reply:
    """A platform-neutral answer.

    Text uses a small markdown subset: **bold**, `code`, lines starting with "- " as bullets.
    User-supplied text inside it has been sanitised by core; adapters escape for their platform.
    """

    title: str = ""
    sections: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str = ""
    private: bool = True
    attachments: tuple[Attachment, ...] = ()
    links: tuple[Link, ...] = ()  # shown after the fields, under "Learn more"

    def plain_text(self) -> str:
        """All visible text in reading order; used for fallbacks and tests."""
        parts = [self.title, *self.sections, *(f"{f.name}: {f.value}" for f in self.fields),
                 *(f"{link.title} ({link.note}): {link.url}" if link.note else f"{link.title}: {link.url}"
                   for link in self.links), self.footer]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Post:
    """A message the bot sends on its own, beside the reply: a DM or a channel post."""

    reply: Reply
    to_user: UserRef | None = None
    to_channel: ChannelRef | None = None


@dataclass
class Result:
    """What core hands back for one command."""

    replies: list[Reply] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)

    @classmethod
    def of(cls, *replies: Reply) -> Result:
        return cls(replies=list(replies))


class UserError(Exception):
    """A problem the user can fix; the message is shown to them as written."""
