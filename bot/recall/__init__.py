"""Spaced recall: quiz questions on finished steps, in the weekly check-in and on demand (no SQL here)."""
from __future__ import annotations

from bot.core.bot import SkillBot
from bot.core.ports import LevelPort, RecallStorePort


def install(bot: SkillBot, store: RecallStorePort, levels: LevelPort) -> None:
    """Add the review and recall verbs, the answer buttons, the step-done hook, progress line and export."""
    from bot.recall.commands import Recall
    from bot.recall.messages import CHECKIN_ANSWER, REVIEW_ANSWER

    recall = Recall(bot.deps, store, levels)
    bot.register_verb("review", recall.review)
    bot.register_verb("recall", recall.setting)
    bot.register_button(REVIEW_ANSWER, recall.review_answer)
    bot.register_button(CHECKIN_ANSWER, recall.checkin_answer)
    bot.deps.progress_hooks.append(recall.on_step)
    bot.deps.progress_fields.append(recall.progress_field)
    bot.deps.exporters.append(recall.export)
