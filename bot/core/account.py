"""A user's own data: export it as JSON, or delete all of it after a confirmation."""
from __future__ import annotations

import json

from bot.core.buttons import pack, require_owner, unpack
from bot.core.deps import Deps
from bot.core.model import Attachment, Button, Command, Reply, Result, Style


def export(deps: Deps, cmd: Command, args: str = "") -> Result:
    user = deps.tracks.find_user(cmd.user)
    if user is None:
        return Result.of(Reply(title="Your data", sections=("I have nothing stored about you.",)))
    data = {
        "user": {
            "platform": user.platform, "workspace": user.workspace, "user_id": user.platform_user_id,
            "name": user.display_name,
            "schedule": {"weekday": user.checkin_weekday, "minute": user.checkin_minute, "tz": user.checkin_tz},
        },
        "enrollments": [
            {
                "track": e.track_id, "status": e.status, "current_step": e.current_step,
                "started_at": e.started_at.isoformat(),
                "steps": [{"step": s.step_index + 1, "kind": s.kind, "at": s.at.isoformat(), "note": s.note}
                          for s in deps.tracks.steps(e.id)],
            }
            for e in deps.tracks.enrollments(user.id)
        ],
    }
    for exporter in deps.exporters:  # later features add their own data
        data.update(exporter(user))
    return Result.of(export_reply(data))


EXPORT_FILE = "skillbot-export.json"
INLINE_LIMIT = 2500  # shown in the message as well when it fits one Slack section / Discord embed


def export_reply(data: dict) -> Reply:
    """The export as a JSON file (valid whatever the user wrote), and inline too when it is short."""
    # A backtick could close the code block; \u0060 is the same JSON string and cannot.
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str).replace("`", "\\u0060")
    compact = json.dumps(data, ensure_ascii=False, default=str).replace("`", "\\u0060")  # shown inline
    steps = sum(len(e["steps"]) for e in data.get("enrollments", []))
    tracks = len(data.get("enrollments", []))
    summary = (f"{tracks} track{'s' if tracks != 1 else ''}, {steps} step{'s' if steps != 1 else ''}. "
               f"Everything is in the attached file {EXPORT_FILE}.")
    sections = (summary, "```\n" + compact + "\n```") if len(compact) <= INLINE_LIMIT else (summary,)
    return Reply(title="Your data", sections=sections,
                 attachments=(Attachment(EXPORT_FILE, text.encode("utf-8"), "application/json", alt="your data as JSON"),))


def forget_me(deps: Deps, cmd: Command, args: str = "") -> Result:
    return Result.of(Reply(
        title="Delete everything I know about you?",
        sections=("This removes your tracks, progress, recall questions, schedule and team sharing, on this platform. It can't be undone.",),
        buttons=(
            Button("Delete my data", "forget.confirm", pack(cmd.user.user_id), Style.DANGER),
            Button("Keep it", "cancel", pack(cmd.user.user_id)),
        ),
    ))


def forget_confirmed(deps: Deps, cmd: Command) -> Result:
    (owner,) = unpack(cmd.value, 1)
    require_owner(cmd, owner)
    if deps.tracks.forget(cmd.user):
        return Result.of(Reply(title="Deleted", sections=("Everything I stored about you is gone. Take care!",)))
    return Result.of(Reply(title="Nothing to delete", sections=("I have nothing stored about you.",)))


def cancel(deps: Deps, cmd: Command) -> Result:
    (owner,) = unpack(cmd.value, 1)
    require_owner(cmd, owner)
    return Result.of(Reply(title="Okay, nothing changed."))
