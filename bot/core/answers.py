"""Answering a question: the card, "did you mean A or B", the question log and 👍/👎, and the content buttons."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from bot.content.loader import Catalog
from bot.content.schema import Skill
from bot.content.search import Match
from bot.core import cards
from bot.core.buttons import unpack
from bot.core.deps import Deps
from bot.core.model import Button, Command, Reply, Result, UserError
from bot.core.states import QuestionOutcome, Vote

VOTE_UP = "feedback.up"  # value: the question log entry's id
VOTE_DOWN = "feedback.down"
KEEP_DAYS = 90  # the question log's retention; README says so
MAX_LOGGED_CHARS = 300

# The words around a bare term: "what is recall at k?" asks about "recall at k".
_FILLER = re.compile(r"^(?:what(?:'s| is| are|s)|whats|define|explain|meaning of|tell me about)\s+|"
                     r"^(?:a|an|the)\s+|[?!.\s]+$")
_MARKUP = re.compile(r"<[^>]*>|@")


def bare_term(text: str) -> str:
    """The question without its asking words and punctuation, lowercased."""
    core = " ".join(text.lower().split())
    for _ in range(3):  # "what is the ..." drops two layers
        core = _FILLER.sub("", core).strip()
    return core


def ambiguous_reply(catalog: Catalog, match: Match, text: str) -> Reply | None:
    """When the question is just an ambiguous term, or the search is torn between its meanings."""
    core = bare_term(text)
    if core in catalog.ambiguous:
        return cards.did_you_mean(catalog, core, catalog.ambiguous[core])
    for term, topic_ids in catalog.ambiguous.items():
        torn = match.topic_id in topic_ids and any(t in topic_ids for _, t in match.alternatives)
        if torn and re.search(rf"\b{re.escape(term)}\b", core):
            return cards.did_you_mean(catalog, term, topic_ids)
    return None


def reply_for(catalog: Catalog, match: Match, text: str, asked: list[str] | None = None) -> Reply:
    """The answer card for a search result (no storage: `skillbot ask` uses it too)."""
    skill = catalog.skill(match.skill_id) if match.skill_id else None
    if skill is None:
        return cards.not_found_reply(catalog, text)
    choice = ambiguous_reply(catalog, match, text)
    if choice is not None:
        return choice
    note = f"Did you mean **{match.suggestion}**?" if match.how == "fuzzy" else ""
    topic = skill.topic(match.topic_id) if match.topic_id else None
    if topic is None:
        return cards.skill_card(skill, note, asked)
    return cards.topic_card(skill, topic, catalog, match, note)


def answer(deps: Deps, cmd: Command, text: str) -> Result:
    """Answer a question or a name from the content base; log it (no user id) and offer 👍/👎."""
    match = deps.searcher.search(text)
    asked = _most_asked(deps, match.skill_id) if match.skill_id else []
    reply = reply_for(deps.catalog, match, text, asked)
    entry = _log(deps, match, text)
    if entry is not None and reply.title != cards.DID_YOU_MEAN:
        reply = replace(reply, buttons=(*reply.buttons, *feedback_buttons(entry)))
    return Result.of(reply)


def feedback_buttons(entry_id: int) -> tuple[Button, Button]:
    return Button("👍 Helpful", VOTE_UP, str(entry_id)), Button("👎 Not helpful", VOTE_DOWN, str(entry_id))


def _most_asked(deps: Deps, skill_id: str) -> list[str]:
    if deps.questions is None:
        return []
    return deps.questions.most_asked(skill_id, deps.clock() - timedelta(days=KEEP_DAYS))


def logged_text(text: str) -> str:
    """What the log keeps of a question: no markup or mentions, capped."""
    return " ".join(_MARKUP.sub(" ", text).split())[:MAX_LOGGED_CHARS]


def _log(deps: Deps, match: Match, text: str) -> int | None:
    # Hostile text is refused but not logged: it is not a gap in the content.
    if deps.questions is None or match.how == "refused" or not text.strip():
        return None
    if match.skill_id is None:
        deps.questions.record(QuestionOutcome.REFUSED, logged_text(text), None, None)
        return None
    return deps.questions.record(QuestionOutcome.ANSWERED, logged_text(text), match.skill_id, match.topic_id)


# -- buttons ------------------------------------------------------------------------------------
def _skill_or_fail(deps: Deps, skill_id: str) -> Skill:
    skill = deps.catalog.skill(skill_id)
    if skill is None:
        raise UserError("That skill is no longer in my content. `/skill list` shows what I know now.")
    return skill


def _topic_press(deps: Deps, cmd: Command, full: bool) -> Result:
    skill_id, topic_id = unpack(cmd.value, 2)
    skill = _skill_or_fail(deps, skill_id)
    topic = skill.topic(topic_id)
    if topic is None:  # an old message: the topic was merged or removed since
        return Result.of(Reply(
            title="That topic has moved on",
            sections=(f"It's no longer in my {skill.title} content. Here is the skill's overview instead.",),
            buttons=(Button(f"Open {skill.title}", cards.SKILL_OPEN, skill.id),),
        ))
    # The title is an exact name, so the search hands back the topic's neighbours for "Also see".
    found = deps.searcher.search(topic.title)
    match = Match(skill.id, topic.id, 1.0, "exact", found.alternatives if found.topic_id == topic.id else ())
    return Result.of(cards.topic_card(skill, topic, deps.catalog, match, full=full))


def open_topic(deps: Deps, cmd: Command) -> Result:
    return _topic_press(deps, cmd, full=False)


def more_topic(deps: Deps, cmd: Command) -> Result:
    return _topic_press(deps, cmd, full=True)


def open_skill(deps: Deps, cmd: Command) -> Result:
    skill = _skill_or_fail(deps, cmd.value)
    return Result.of(cards.skill_card(skill, asked=_most_asked(deps, skill.id)))


def all_topics(deps: Deps, cmd: Command) -> Result:
    return Result.of(cards.all_topics_reply(_skill_or_fail(deps, cmd.value)))


def _vote(deps: Deps, cmd: Command, vote: Vote) -> Result:
    if not cmd.value.isdigit():
        raise UserError("That button is from an older version of me and no longer works.")
    if deps.questions is None or not deps.questions.vote(int(cmd.value), vote):
        return Result.of(Reply(sections=("Thanks! That answer is too old to rate now, so nothing was recorded.",)))
    if vote == Vote.UP:
        return Result.of(Reply(sections=("Thanks, glad it helped. 👍",)))
    thanks = ("Thanks for telling me. I've passed the question on to the people who write my content "
              "(the question only, not who asked).")
    return Result.of(Reply(sections=(thanks, "Meanwhile `/skill list` shows every skill I know.")))


def vote_up(deps: Deps, cmd: Command) -> Result:
    return _vote(deps, cmd, Vote.UP)


def vote_down(deps: Deps, cmd: Command) -> Result:
    return _vote(deps, cmd, Vote.DOWN)


BUTTONS = {
    cards.TOPIC_OPEN: open_topic, cards.TOPIC_MORE: more_topic, cards.SKILL_OPEN: open_skill,
    cards.SKILL_TOPICS: all_topics, VOTE_UP: vote_up, VOTE_DOWN: vote_down,
}
