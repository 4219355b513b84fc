"""One multiple-choice question as a chat message, and the verdict on an answer: shared by placement and recall."""
from __future__ import annotations

from bot.content.schema import Question
from bot.core.buttons import pack
from bot.core.model import Button, Reply


def question_reply(question: Question, heading: str, action_id: str, *context: object, footer: str = "") -> Reply:
    """The question with one button per option; each button carries `context` plus the option's index."""
    buttons = tuple(Button(option, action_id, pack(*context, question.id, i))
                    for i, option in enumerate(question.options))
    return Reply(title=heading, sections=(question.question,), buttons=buttons, footer=footer)


def is_right(question: Question, chosen: int) -> bool:
    return chosen == question.answer


def verdict(question: Question, chosen: int) -> str:
    """Right or wrong, the right option when wrong, and why."""
    if is_right(question, chosen):
        return f"**Right.** {question.explain}"
    return f"**Not quite.** The answer is: {question.options[question.answer]}. {question.explain}"
