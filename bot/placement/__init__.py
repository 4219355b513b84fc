"""Placement: quiz-based assessments, the skill matrix and its picture, the team matrix (no SQL here)."""
from __future__ import annotations

from bot.core.bot import SkillBot


def install(bot: SkillBot) -> None:
    """Add `assess`, `matrix`, `team matrix`, the quiz buttons, the digest section and export data to the bot."""
    from bot.placement import assess, matrix, team_matrix

    deps = bot.deps
    bot.register_verb("assess", assess.assess)
    bot.register_verb("matrix", matrix.matrix)
    bot.register_button(assess.ANSWER, assess.answer)
    bot.register_button(assess.RESUME, assess.resume)
    bot.register_button(assess.RESTART, assess.restart)
    bot.register_button(assess.RETAKE, assess.retake)
    bot.register_button(assess.START_WEEK, assess.start_week)
    bot.register_button(assess.SEE_MATRIX, matrix.matrix_button)
    deps.team_views["matrix"] = team_matrix.team_matrix
    deps.digest_sections.append(team_matrix.digest_section(deps))
    deps.exporters.append(lambda user: {"assessments": assess.export(deps, user)})
