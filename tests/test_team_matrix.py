"""The team matrix: `/skill team matrix` and the digest section show opted-in members only, by plain name."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.console import console_channel, console_user
from bot.core.records import AnswerRecord
from tests.teams_helpers import FRIDAY, RecordingSender, mentioned, tick

CH = "team-ml"


def place(app, user_name: str, skill: str, level: str, platform_user=None) -> None:
    """Record a finished assessment straight through the store (the quiz itself is tested elsewhere)."""
    ref = platform_user or console_user(user_name)
    user = app.deps.tracks.ensure_user(ref)
    store = app.deps.assessments
    assessment = store.start(user.id, skill)
    store.record_answer(assessment.id, AnswerRecord(0, f"{skill}-q", "t", "mid", 0, True, app.deps.clock()))
    store.finish(assessment.id, level)


@pytest.fixture
def team(bot, app):
    """alice (admin) and bob share in team-ml; carol does not. All three are assessed."""
    bot.say("team here", user="alice", channel=CH, admin=True)
    for user in ("alice", "bob", "carol"):
        bot.say("track ml", user=user, channel=CH)
    bot.say("share on", user="alice", channel=CH)
    bot.say("share on", user="bob", channel=CH)
    place(app, "alice", "mlops", "mid")
    place(app, "alice", "genai", "senior")
    place(app, "carol", "mlops", "senior")
    return bot


def matrix_lines(text: str) -> list[str]:
    """The table's lines: from a Reply (inside ```) or from the console (which drops the fences)."""
    body = text.split("```")[1] if "```" in text else text.split("Skill matrix\n", 1)[1].split("\nent/mid/sen")[0]
    return [line for line in body.strip("\n").splitlines() if line.strip() and not line.startswith("…")]


def test_team_matrix_rows_are_sharing_members_with_their_levels(team, app):
    out = team.say("team matrix", user="bob", channel=CH)
    rows = matrix_lines(out)
    header, people = rows[0], rows[1:]
    assert "ops" in header and "gen" in header
    assert sorted(r.split()[0] for r in people) == ["alice", "bob"]
    alice = next(r for r in people if r.startswith("alice"))
    cells = dict(zip(header.split(), alice.split()[1:], strict=True))
    assert cells["ops"] == "mid" and cells["gen"] == "sen" and cells["ml"] == "·"
    assert "carol" not in out


def test_team_matrix_never_mentions_anyone(team, app):
    from bot.core.model import Command
    result = app.bot.handle(Command(console_user("bob"), console_channel(CH), text="/skill team matrix"))
    (reply,) = result.replies
    assert mentioned(reply) == set() and reply.private


def test_the_digest_has_a_matrix_of_opted_in_members_only(team, app):
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY) == 1
    ((_, reply),) = sender.posts
    section = next(s for s in reply.sections if s.startswith("**Skill matrix**"))
    assert "alice" in section and "bob" in section
    assert "carol" not in section and "sen" not in section.split("alice")[0].split("\n")[-1]
    assert "more" not in section  # carol is not even counted


def test_past_25_members_the_25_most_recently_active_are_shown_and_the_rest_counted(bot, app, clock):
    bot.say("team here", user="admin", channel=CH, admin=True)
    for i in range(30):
        name = f"user{i:02d}"
        clock.now += timedelta(minutes=1)  # user29 is the most recently active
        bot.say("share on", user=name, channel=CH)
        place(app, name, "ml", "entry")
    out = bot.say("team matrix", user="user00", channel=CH)
    people = [r.split()[0] for r in matrix_lines(out)[1:]]
    assert len(people) == 25 and people[0] == "user29" and "user04" not in people
    assert "…and 5 more sharing here" in out


def test_names_cannot_break_out_of_the_table_or_ping(bot, app):
    bot.say("team here", user="admin", channel=CH, admin=True)
    from bot.core.model import Command, UserRef
    evil = UserRef("console", "console", "evil", name="```@everyone <!channel>")
    app.bot.handle(Command(evil, console_channel(CH), text="/skill share on"))
    place(app, "", "ml", "mid", platform_user=evil)
    result = app.bot.handle(Command(console_user("admin"), console_channel(CH), text="/skill team matrix"))
    text = result.replies[0].plain_text()
    assert text.count("```") == 2  # the table's own fences only
    assert "@everyone" not in text and "<!channel>" not in text
    assert any(line.startswith("everyone !chan") for line in matrix_lines(text))


def test_team_matrix_outside_a_team_channel_is_explained(bot):
    assert "isn't a team channel" in bot.say("team matrix", channel="random")
