"""Recall behaviour: items from done steps, `/skill review`, `/skill recall on|off`, and the answer buttons."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from bot.content.schema import Question
from bot.core import spacing
from bot.core.bot import answer as answer_question
from bot.core.buttons import unpack
from bot.core.deps import Deps
from bot.core.model import Command, Field, Post, Reply, Result, UserError
from bot.core.ports import LevelPort, RecallStorePort
from bot.core.records import EnrollmentRecord, NewRecallItem, RecallItemRecord, UserRecord
from bot.core.states import StepKind
from bot.core.tracks import user_of
from bot.recall import messages

log = logging.getLogger(__name__)

_OLD_CHECKIN = ("That recall question is from an earlier check-in, so I left your recall schedule as it is. "
                "`/skill review` asks the ones due now.")
_CANDIDATES = 20  # items looked at per pick; a few may be filtered out (level, content removed)


class Recall:
    """The recall feature, holding its store and the placement lookup it picks levels with."""

    def __init__(self, deps: Deps, store: RecallStorePort, levels: LevelPort):
        self.deps = deps
        self.store = store
        self.levels = levels

    # -- items ------------------------------------------------------------------------------
    def on_step(self, user: UserRecord, enrollment: EnrollmentRecord) -> list[Post]:
        """Progress hook: a step just done makes its topics' questions recall items."""
        self.sync(user, [enrollment])
        return []

    def sync(self, user: UserRecord, enrollments: list[EnrollmentRecord]) -> int:
        """Make sure every done step's questions are items (idempotent; also covers steps done
        before recall existed). First due a week after the step was done."""
        items: list[NewRecallItem] = []
        for enrollment in enrollments:
            skill = self.deps.catalog.skill(enrollment.track_id)
            if skill is None:
                continue
            level = self.levels.latest_level(user.id, skill.id)
            for step in self.deps.tracks.steps(enrollment.id):
                if step.kind != StepKind.DONE or step.step_index >= len(skill.track):
                    continue
                first = spacing.first(step.at)
                items += [NewRecallItem(q.id, q.topic, skill.id, first.due_at, first.interval_days)
                          for topic in skill.track[step.step_index].topics
                          for q in self.deps.catalog.questions_for(topic) if spacing.at_or_below(q.level, level)]
        return self.store.add_items(user.id, items) if items else 0

    def _suits(self, user: UserRecord, item: RecallItemRecord) -> Question | None:
        """The item's question if it is still in the content and at or below the learner's level."""
        question = self.deps.catalog.question(item.question_id)
        if question is None:
            return None
        return question if spacing.at_or_below(question.level, self.levels.latest_level(user.id, item.skill_id)) else None

    def _pick(self, user: UserRecord, exclude: frozenset[str]) -> tuple[Question, RecallItemRecord, bool] | None:
        """Due items first, else practice from done steps: (question, item, was it due)."""
        for item in self.store.due(user.id, self.deps.clock(), _CANDIDATES, exclude):
            if (question := self._suits(user, item)) is not None:
                return question, item, True
        for item in self.store.practice(user.id, _CANDIDATES, exclude):
            if (question := self._suits(user, item)) is not None:
                return question, item, False
        return None

    # -- /skill review ----------------------------------------------------------------------
    def review(self, deps: Deps, cmd: Command, args: str = "") -> Result:
        user = user_of(deps, cmd)
        self.sync(user, deps.tracks.enrollments(user.id))
        token = uuid.uuid4().hex[:8]  # one review session; answers are counted once per (session, number)
        question = self._ask(user, token, 1)
        return Result.of(question or messages.no_review_reply())

    def _ask(self, user: UserRecord, token: str, number: int) -> Reply | None:
        exclude = frozenset(self.store.answered_in(user.id, f"review:{token}:"))
        picked = self._pick(user, exclude)
        if picked is None:
            return None
        question, item, due = picked
        skill = self.deps.catalog.skill(item.skill_id)
        return messages.review_question(question, skill.title if skill else item.skill_id, token, number, due)

    def review_answer(self, deps: Deps, cmd: Command) -> Result:
        token, number_text, question_id, chosen_text = unpack(cmd.value, 4)
        question, chosen = self._question(question_id, chosen_text)
        number = int(number_text) if number_text.isdigit() else messages.REVIEW_SIZE
        user = user_of(deps, cmd)
        outcome = self.store.answer(user.id, question.id, f"review:{token}:{number}", chosen,
                                    chosen == question.answer, deps.clock())
        if not outcome.counted:
            return Result.of(Reply(title="Already answered", sections=(
                "You answered that one already, so I counted it once. `/skill review` for a fresh round.",)))
        replies = [messages.verdict_reply(question, chosen, outcome.item, user.checkin_tz)]
        upcoming = self._ask(user, token, number + 1) if number < messages.REVIEW_SIZE else None
        if upcoming is None:
            replies.append(messages.review_over_reply(number, self.store.stats(user.id, deps.clock()).due))
        else:
            replies.append(upcoming)
        return Result(replies=replies)

    def _question(self, question_id: str, chosen_text: str) -> tuple[Question, int]:
        question = self.deps.catalog.question(question_id)
        if question is None or not chosen_text.isdigit() or int(chosen_text) >= len(question.options):
            raise UserError("That question is no longer in my quiz bank, so nothing changed. "
                            "`/skill review` asks a current one.")
        return question, int(chosen_text)

    # -- the check-in's question ------------------------------------------------------------
    def checkin_answer(self, deps: Deps, cmd: Command) -> Result:
        delivery_id, question_id, chosen_text = unpack(cmd.value, 3)
        delivery = deps.checkins.delivery(int(delivery_id)) if delivery_id.isdigit() else None
        if delivery is None or delivery.recall_question != question_id:
            raise UserError(_OLD_CHECKIN)
        user = user_of(deps, cmd)
        enrollment = deps.tracks.enrollment(delivery.enrollment_id)
        if enrollment is None or enrollment.user_id != user.id:
            raise UserError("That check-in belongs to someone else, so I left it alone.")
        if not deps.checkins.is_latest_week(delivery):
            raise UserError(_OLD_CHECKIN)
        question, chosen = self._question(question_id, chosen_text)
        outcome = self.store.answer(user.id, question.id, f"checkin:{delivery.id}", chosen,
                                    chosen == question.answer, deps.clock())
        if not outcome.counted:
            return Result.of(Reply(title="Already answered", sections=(
                ("You answered this check-in's recall question already, so I counted it once. "
                 "`/skill review` for more."),)))
        deps.tracks.reset_unanswered(user.id)  # answering means they're listening
        return Result.of(messages.verdict_reply(question, chosen, outcome.item, user.checkin_tz))

    # -- /skill recall on|off ---------------------------------------------------------------
    def setting(self, deps: Deps, cmd: Command, args: str) -> Result:
        choice = args.strip().lower()
        if choice not in ("", "on", "off", "status"):
            # "/skill recall vs precision": a question about the metric, not the setting.
            return answer_question(deps, cmd, f"recall {args}")
        user = user_of(deps, cmd)
        if choice in ("on", "off"):
            self.store.set_checkins(user.id, choice == "on")
        on = self.store.checkins_on(user.id)
        state = ("Your weekly check-in carries one due recall question." if on
                 else "Your weekly check-in leaves recall questions out.")
        title = {"on": "Recall in check-ins: on", "off": "Recall in check-ins: off"}.get(choice, "Recall")
        toggle = "`/skill recall off` to leave them out" if on else "`/skill recall on` to bring them back"
        return Result.of(Reply(title=title, sections=(
            state, f"{toggle}. `/skill review` works either way. (The metric? Try `/skill precision and recall`.)")))

    # -- progress and export ----------------------------------------------------------------
    def progress_field(self, user: UserRecord) -> Field | None:
        stats = self.store.stats(user.id, self.deps.clock())
        if stats.items == 0:
            return None
        right = f", {round(100 * stats.right / stats.answered)}% right" if stats.answered else ""
        return Field("Recall", f"{stats.answered} answered{right}, {stats.due} due")

    def export(self, user: UserRecord) -> dict[str, Any]:
        return {"recall": {
            "in_checkins": self.store.checkins_on(user.id),
            "items": [{"question": i.question_id, "topic": i.topic_id, "skill": i.skill_id,
                       "due_at": i.due_at.isoformat(), "interval_days": i.interval_days, "streak": i.streak,
                       "retired": i.retired, "right": i.right_count, "wrong": i.wrong_count}
                      for i in self.store.items(user.id)],
            "answers": [{"question": a.question_id, "source": a.source, "chosen": a.chosen, "right": a.right,
                         "at": a.at.isoformat()} for a in self.store.answers(user.id)],
        }}
