"""What a check-in DM says, and the buttons it carries."""
from __future__ import annotations

from bot.content.loader import Catalog
from bot.core.buttons import pack
from bot.core.model import Button, Reply, Style
from bot.core.ports import TrackStorePort
from bot.core.records import SNOOZED, Due
from bot.core.schedule import format_local
from bot.core.text import progress_bar
from bot.core.tracks import step_text
from bot.recall.messages import checkin_part

DONE, SKIP, SNOOZE = "checkin.done", "checkin.skip", "checkin.snooze"


def checkin_reply(catalog: Catalog, due: Due, last_note: str | None = None) -> Reply | None:
    """The weekly DM; None when the track no longer exists in the content."""
    skill = catalog.skill(due.track_id)
    if skill is None or due.step_index >= len(skill.track):
        return None
    value = pack(due.delivery_id, due.step_index)
    sections = [f"Last week you wrote: “{last_note}”"] if last_note else []
    sections += [
        progress_bar(due.step_index, len(skill.track)),
        step_text(skill, due.step_index),
        "How did this week go?",
    ]
    footer = ""
    if not due.schedule_set:
        footer = (f"Check-ins come every {due.weekly.describe()}. "
                  "Change it with `/skill schedule <weekday> <HH:MM> [time zone]`.")
    title = f"Weekly check-in: {skill.title}" if due.attempt != SNOOZED else f"Reminder: {skill.title} this week"
    buttons: tuple[Button, ...] = (
        Button("Done ✅", DONE, value, Style.PRIMARY),
        Button("Snooze a day", SNOOZE, value),
        Button("Skip this week", SKIP, value),
    )
    question = catalog.question(due.recall_question) if due.recall_question else None
    if question is not None:  # one recall question, chosen when the check-in was claimed
        recall_section, recall_buttons = checkin_part(question, due.delivery_id)
        sections.append(recall_section)
        buttons += recall_buttons
    return Reply(
        title=title,
        sections=tuple(sections),
        buttons=buttons,
        footer=footer,
        private=False,  # a DM: the whole conversation is the user's own
    )


def last_note(tracks: TrackStorePort, due: Due) -> str | None:
    """The note written with the step just before this check-in's, if any."""
    previous = [s for s in tracks.steps(due.enrollment_id) if s.step_index == due.step_index - 1]
    return previous[0].note if previous and previous[0].note else None


def paused_reply(catalog: Catalog, due: Due) -> Reply:
    skill = catalog.skill(due.track_id)
    title = skill.title if skill else due.track_id
    return Reply(
        title=f"I've paused your {title} check-ins",
        sections=(
            "You haven't answered the last three, so I'll stop nudging for now. No progress is lost.",
            "Whenever you're ready: `/skill resume`. To change the day or hour: `/skill schedule <weekday> <HH:MM>`.",
        ),
        private=False,
    )


def snoozed_reply(due_at_text: str) -> Reply:
    return Reply(title="Snoozed", sections=(f"I'll ask again on {due_at_text}.",))


def next_checkin_line(instant, tz: str) -> str:
    return f"Next check-in: {format_local(instant, tz)}."
