"""What recall says: a question (in a review or under a check-in), the verdict, and how recall works."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content.schema import Question
from bot.core.model import Button, Reply
from bot.core.quizview import question_reply, verdict
from bot.core.records import RecallItemRecord
from bot.core.spacing import RETIRE_AFTER

REVIEW_ANSWER, CHECKIN_ANSWER = "recall.review", "recall.checkin"
REVIEW_SIZE = 3  # questions per /skill review

HOW_IT_WORKS = (
    ("Recall questions come from the steps you've finished. When you mark a step done "
     "(`/skill done`), its topics' questions join your recall list: the first is due a week later, "
     "each right answer doubles the wait (7, 14, 28 days), three right in a row retire a question, "
     "and a wrong one comes back in a week."),
    ("Due questions turn up in your weekly check-in (`/skill recall off` to leave them out) and here "
     "in `/skill review` whenever you like."),
)


def checkin_part(question: Question, delivery_id: int) -> tuple[str, tuple[Button, ...]]:
    """The section and option buttons a check-in DM carries below its step."""
    quiz = question_reply(question, "Quick recall", CHECKIN_ANSWER, delivery_id)
    return f"**Quick recall:** {question.question}", quiz.buttons


def review_question(question: Question, skill_title: str, token: str, number: int, due: bool) -> Reply:
    kind = "due for recall" if due else "practice"
    return question_reply(question, f"Recall {number} of {REVIEW_SIZE}: {skill_title}", REVIEW_ANSWER, token, number,
                          footer=f"A {kind} question. Pick the answer you think is right.")


def verdict_reply(question: Question, chosen: int, item: RecallItemRecord | None, tz: str) -> Reply:
    right = chosen == question.answer
    return Reply(title="Right ✅" if right else "Not quite", sections=(verdict(question, chosen), _next_line(item, tz)))


def _next_line(item: RecallItemRecord | None, tz: str) -> str:
    if item is None:
        return ""
    if item.retired:
        return f"{RETIRE_AFTER} right in a row: this one is retired from your recall list."
    return f"You'll see it again around {_day(item.due_at, tz)} (in {item.interval_days} days)."


def _day(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%A %d %B")


def no_review_reply() -> Reply:
    return Reply(title="Nothing to recall yet", sections=HOW_IT_WORKS)


def review_over_reply(answered: int, due_left: int) -> Reply:
    more = f"{due_left} more due: `/skill review` again." if due_left else "Nothing else is due right now."
    return Reply(title=f"That's {answered} for now", sections=(more,))
