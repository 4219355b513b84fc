"""Button values: small, self-describing strings, so a button still works after a restart."""
from __future__ import annotations

from bot.core.model import Command, UserError

SEP = "|"


def pack(*parts: object) -> str:
    return SEP.join(str(p) for p in parts)


def unpack(value: str, count: int) -> list[str]:
    parts = value.split(SEP)
    if len(parts) != count:
        raise UserError("That button is from an older version of me and no longer works. Try the command again.")
    return parts


def require_owner(cmd: Command, owner_id: str) -> None:
    """Confirmations belong to the person who asked for them."""
    if cmd.user.user_id != owner_id:
        raise UserError("That button belongs to someone else's request, so I left it alone.")
