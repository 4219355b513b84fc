"""Team channels: admins only, opt-in sharing, weekly digests exactly once, milestones, channel gone."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.console import console_channel, console_user
from bot.core.delivery import Delivery, DeliveryStatus
from bot.core.model import Action, Command
from tests.teams_helpers import FRIDAY, RecordingSender, mentioned, tick, without_mentions

CH = "team-ml"


def store(app):
    return app.deps.teams


def team_channel(app, name=CH):
    return store(app).channel(console_channel(name))


def handle(app, text, user="alice", channel=CH, admin=False):
    return app.bot.handle(Command(console_user(user, admin), console_channel(channel), text=text))


@pytest.fixture
def team(bot):
    """alice (admin) made team-ml a team channel; alice and bob share, carol does not. All three did a step."""
    assert "now a team channel" in bot.say("team here", user="alice", channel=CH, admin=True)
    for user in ("alice", "bob", "carol"):
        bot.say("track ml", user=user, channel=CH)
        bot.say("done", user=user, channel=CH)
    assert "sharing your progress" in bot.say("share on", user="alice", channel=CH)
    assert "sharing your progress" in bot.say("share on", user="bob", channel=CH)
    return bot


# -- admin commands -------------------------------------------------------------------------
def test_non_admin_is_refused_team_here(bot, app):
    answer = bot.say("team here", user="bob", channel=CH)
    assert "Only workspace admins" in answer
    assert team_channel(app) is None
    assert "isn't a team channel" in bot.say("share on", user="bob", channel=CH)


def test_skillbot_admins_may_set_up_a_team_channel(bot, app):
    app.deps.admins = frozenset({"dana"})
    assert "now a team channel" in bot.say("team here", user="dana", channel=CH)
    channel = team_channel(app)
    assert channel.active and channel.next_digest_at == FRIDAY  # default: Friday 16:00, the admin's zone (UTC)
    assert "already a team channel" in bot.say("team here", user="dana", channel=CH)


def test_default_digest_time_is_in_the_admins_zone(app):
    user = console_user("erin", admin=True, tz="Europe/Berlin")
    app.bot.handle(Command(user, console_channel(CH), text="/skill team here"))
    channel = team_channel(app)
    assert channel.weekly.tz == "Europe/Berlin" and channel.next_digest_at == FRIDAY - timedelta(hours=1)


def test_team_schedule_and_off_are_admin_only(team, app):
    assert "Only workspace admins" in team.say("team schedule mon 09:00 Europe/Berlin", user="bob", channel=CH)
    answer = team.say("team schedule mon 09:00 Europe/Berlin", user="alice", channel=CH)
    assert "Monday 09:00 (Europe/Berlin)" in answer
    assert team_channel(app).weekly.weekday == 0
    assert "I don't know the weekday" in team.say("team schedule someday 09:00", user="alice", channel=CH)
    assert "Only workspace admins" in team.say("team off", user="bob", channel=CH)
    assert "switched off" in team.say("team off", user="alice", channel=CH)
    assert not team_channel(app).active
    assert tick(app, RecordingSender(), FRIDAY + timedelta(days=7)) == 0


def test_team_here_refused_in_a_dm(app):
    from bot.core.model import ChannelRef
    dm = ChannelRef("console", "console", "D1", is_dm=True)
    result = app.bot.handle(Command(console_user("alice", admin=True), dm, text="/skill team here"))
    assert "not in a DM" in result.replies[0].plain_text()


def test_board_is_private_and_names_only_sharers(team, app):
    result = handle(app, "/skill team", user="carol")
    reply = result.replies[0]
    assert reply.private is True
    assert mentioned(reply) == {"alice", "bob"}
    assert "You don't share your progress here" in reply.footer


def test_share_button_opts_in_whoever_presses_it(team, app):
    here = handle(app, "/skill team here", user="alice", admin=True)  # already on: no button, a note
    assert "already" in here.replies[0].title
    press = Command(console_user("carol"), console_channel(CH), action=Action("team.share", "on"))
    assert "sharing your progress" in app.bot.handle(press).replies[0].title
    assert store(app).is_sharing(team_channel(app).id, app.deps.tracks.find_user(console_user("carol")).id)


# -- digests --------------------------------------------------------------------------------
def test_digest_names_the_two_who_opted_in_and_never_the_third(team, app):
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY - timedelta(minutes=1)) == 0  # not due yet
    assert tick(app, sender, FRIDAY) == 1
    (channel, reply), = sender.posts
    assert channel.channel_id == CH and reply.private is False
    assert mentioned(reply) == {"alice", "bob"}
    assert "carol" not in reply.plain_text()
    text = reply.plain_text()
    assert "Machine learning week 1" in text and "Steps done this week: 2" in text
    assert "Active this week: 2 of 2" in text and "▰" in text


def test_two_runs_in_the_same_week_post_once(team, app):
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY) == 1
    assert tick(app, sender, FRIDAY) == 0
    assert tick(app, sender, FRIDAY + timedelta(hours=2)) == 0
    assert len(sender.posts) == 1
    assert store(app).deliveries(team_channel(app).id) == [("2026-W48", "sent")]
    assert tick(app, sender, FRIDAY + timedelta(days=7)) == 1  # next week's comes as usual


def test_opt_out_takes_effect_before_the_next_digest(team, app, clock):
    assert "stopped sharing" in team.say("share off", user="bob", channel=CH)
    sender = RecordingSender()
    tick(app, sender, FRIDAY)
    assert mentioned(sender.posts[0][1]) == {"alice"}
    assert "bob" not in sender.posts[0][1].plain_text()


def test_forgotten_user_never_appears_in_a_later_digest(team, app):
    team.say("forget-me", user="bob", channel=CH)
    assert "Deleted" in team.say("Delete my data", user="bob", channel=CH)
    sender = RecordingSender()
    tick(app, sender, FRIDAY)
    assert "bob" not in sender.posts[0][1].plain_text()
    assert mentioned(sender.posts[0][1]) == {"alice"}
    assert "Active this week: 1 of 1" in sender.posts[0][1].plain_text()


def test_empty_week_is_one_short_line(team, app):
    sender = RecordingSender()
    tick(app, sender, FRIDAY)
    tick(app, sender, FRIDAY + timedelta(days=7))
    quiet = sender.posts[1][1]
    assert "quiet week" in quiet.plain_text() and len(quiet.sections) == 1 and not quiet.fields
    assert len(quiet.plain_text()) < 200


def test_a_digest_missed_by_more_than_12_hours_is_skipped_to_next_week(team, app):
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY + timedelta(hours=13)) == 0
    assert sender.posts == []
    assert team_channel(app).next_digest_at == FRIDAY + timedelta(days=7)
    assert tick(app, sender, FRIDAY + timedelta(days=7, minutes=1)) == 1


def test_a_digest_late_by_2_hours_is_posted_once(team, app):
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY + timedelta(hours=2)) == 1
    assert tick(app, sender, FRIDAY + timedelta(hours=2, minutes=1)) == 0


def test_removed_channel_is_switched_off_and_the_admin_told_once(team, app):
    sender = RecordingSender()
    sender.status[CH] = Delivery(DeliveryStatus.CHANNEL_GONE, detail="not_in_channel")
    assert tick(app, sender, FRIDAY) == 0
    assert not team_channel(app).active
    (admin, note), = sender.dms
    assert admin.user_id == "alice" and "switched its team digests off" in note.plain_text()
    for week in range(1, 4):  # no retries, ever
        assert tick(app, sender, FRIDAY + timedelta(days=7 * week, minutes=1)) == 0
    assert len(sender.posts) == 1 and len(sender.dms) == 1
    assert store(app).deliveries(team_channel(app).id) == [("2026-W48", "gone")]


def test_rate_limited_digest_is_posted_by_a_later_tick_once(team, app):
    sender = RecordingSender()
    sender.status[CH] = Delivery(DeliveryStatus.RATE_LIMITED, retry_after=30)
    assert tick(app, sender, FRIDAY) == 0
    del sender.status[CH]
    assert tick(app, sender, FRIDAY + timedelta(minutes=1)) == 1
    assert tick(app, sender, FRIDAY + timedelta(minutes=2)) == 0
    assert len(sender.posts) == 2
    assert store(app).deliveries(team_channel(app).id) == [("2026-W48", "sent")]


def test_a_digest_that_keeps_failing_is_given_up_after_12_hours(team, app):
    sender = RecordingSender()
    sender.status[CH] = Delivery(DeliveryStatus.RATE_LIMITED, retry_after=30)
    for minutes in (0, 60, 600):
        tick(app, sender, FRIDAY + timedelta(minutes=minutes))
    tries = len(sender.posts)
    assert tries == 3
    tick(app, sender, FRIDAY + timedelta(hours=13))
    tick(app, sender, FRIDAY + timedelta(hours=14))
    assert len(sender.posts) == tries
    assert store(app).deliveries(team_channel(app).id) == [("2026-W48", "expired")]


def test_a_claim_whose_lease_ran_out_passes_to_another_worker_and_fences_the_first(team, app):
    from bot.store.teams import LEASE

    teams = store(app)
    (claim,), _ = teams.claim_due(FRIDAY, ["console"], "worker-a")  # A claims and goes quiet
    assert teams.claim_retries(FRIDAY + LEASE - timedelta(seconds=1), ["console"], "worker-b") == ([], 0)
    (taken,), _ = teams.claim_retries(FRIDAY + LEASE, ["console"], "worker-b")
    assert taken.delivery_id == claim.delivery_id and taken.week == claim.week
    assert teams.claim_retries(FRIDAY + LEASE, ["console"], "worker-c") == ([], 0)  # B's lease is fresh
    assert not teams.start_sending(claim.delivery_id, "worker-a")  # A wakes: no longer its claim
    assert teams.start_sending(claim.delivery_id, "worker-b")
    assert teams.claim_retries(FRIDAY + 2 * LEASE, ["console"], "worker-c") == ([], 0)  # "sending": never taken
    assert teams.deliveries(team_channel(app).id) == [("2026-W48", "sending")]


def test_one_failing_channel_never_stops_the_others(team, app):
    team.say("team here", user="alice", channel="team-data", admin=True)
    team.say("share on", user="alice", channel="team-data")
    sender = RecordingSender()
    sender.status[CH] = Delivery(DeliveryStatus.FAILED, detail="boom")
    assert tick(app, sender, FRIDAY) == 1
    assert {c.channel_id for c, _ in sender.posts} == {CH, "team-data"}


def test_a_platform_without_a_sender_here_is_left_for_another_process(team, app):
    other = RecordingSender("slack")
    assert tick(app, other, FRIDAY) == 0
    assert team_channel(app).next_digest_at == FRIDAY  # untouched
    assert tick(app, RecordingSender(), FRIDAY) == 1


def test_mentions_never_ping_everyone(bot, app):
    bot.say("team here", user="alice", channel=CH, admin=True)
    evil = console_user("mallory")
    evil = type(evil)(evil.platform, evil.workspace, "mallory", name="@everyone <!channel> @here")
    for text in ("/skill share on", "/skill track ml", "/skill done"):
        app.bot.handle(Command(evil, console_channel(CH), text=text))
    sender = RecordingSender()
    tick(app, sender, FRIDAY)
    reply = sender.posts[0][1]
    assert mentioned(reply) == {"mallory"}
    outside = without_mentions(reply)
    assert "@everyone" not in outside and "@here" not in outside and "<!channel>" not in outside


# -- milestones -----------------------------------------------------------------------------
def _finish_track(app, user):
    posts = []
    for _ in range(len(app.deps.catalog.skill("ml").track)):
        posts += handle(app, "/skill done", user=user).posts
    return posts


def test_finished_track_posts_a_milestone_once_to_the_team_channel(team, app):
    posts = _finish_track(app, "bob")
    milestone = [p for p in posts if "Track finished" in p.reply.title]
    assert len(milestone) == 1
    assert milestone[0].to_channel.channel_id == CH and milestone[0].reply.private is False
    assert mentioned(milestone[0].reply) == {"bob"}
    # Announced once: the hook seeing the same finished enrollment again posts nothing.
    user = app.deps.tracks.find_user(console_user("bob"))
    enrollment = app.deps.tracks.enrollments(user.id)[0]
    assert all(hook(user, enrollment) == [] for hook in app.deps.progress_hooks)


def test_no_milestone_without_opt_in(team, app):
    assert _finish_track(app, "carol") == []


def test_milestone_goes_only_to_team_channels_the_member_shares_with(team, app):
    team.say("team here", user="alice", channel="team-data", admin=True)  # bob does not share there
    posts = _finish_track(app, "bob")
    assert {p.to_channel.channel_id for p in posts} == {CH}


def test_four_week_streak_posts_once(team, app, clock):
    posts = []
    for week in range(1, 6):
        clock.now += timedelta(weeks=1)
        posts += handle(app, "/skill done", user="alice").posts
    streaks = [p for p in posts if "streak" in p.reply.title]
    assert len(streaks) == 1 and mentioned(streaks[0].reply) == {"alice"}


# -- scale ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_digest_for_500_members_fits_platform_limits(bot, app):
    bot.say("team here", user="alice", channel=CH, admin=True)
    channel = team_channel(app)
    tracks, teams = app.deps.tracks, store(app)
    for i in range(500):
        user = tracks.ensure_user(console_user(f"member{i:03d}"))
        enrollment, _ = tracks.join(user.id, ("ml", "genai", "math")[i % 3], None)
        tracks.record_step(enrollment.id, 0, "done", 8, None)
        if i % 10 == 0:  # some finished a track this week
            for step in range(1, len(app.deps.catalog.skill(enrollment.track_id).track)):
                tracks.record_step(enrollment.id, step, "done", len(app.deps.catalog.skill(enrollment.track_id).track), None)
        teams.set_sharing(channel.id, user.id, True)
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY) == 1
    reply = sender.posts[0][1]
    text = reply.plain_text()
    assert len(text) < 6000
    assert len(reply.sections) + len(reply.fields) <= 20
    assert all(len(s) < 3000 for s in reply.sections)  # one Slack section block / Discord field each
    assert len(mentioned(reply)) <= 35
    assert "…and 475 more" in text and "Active this week: 500 of 500" in text
    assert "Tracks finished: 50" in text


def test_moving_the_digest_later_in_the_same_week_does_not_post_it_again(team, app, clock):
    sender = RecordingSender()
    assert tick(app, sender, FRIDAY) == 1
    clock.now = FRIDAY + timedelta(minutes=5)
    team.say("team schedule sat 10:00", user="alice", channel=CH)  # still ISO week 48
    assert tick(app, sender, FRIDAY + timedelta(hours=18, minutes=1)) == 0
    assert len(sender.posts) == 1
    assert tick(app, sender, FRIDAY + timedelta(days=8, minutes=1)) == 1  # next week's Saturday


def test_discord_member_one_learner_across_servers_gets_milestones_and_digest(app):
    from bot.core.model import ChannelRef, UserRef
    admin = UserRef("discord", "discord", "100", name="Ada", is_admin=True)
    member = UserRef("discord", "discord", "200", name="Bo")
    channel = ChannelRef("discord", "guild-1", "555", name="ml-team")
    app.bot.handle(Command(admin, channel, text="/skill team here"))
    for text in ("/skill share on", "/skill track ml"):
        app.bot.handle(Command(member, channel, text=text))
    dm = ChannelRef("discord", "dm", "900", is_dm=True)  # steps are often done from the check-in DM
    posts = []
    for _ in range(len(app.deps.catalog.skill("ml").track)):
        posts += app.bot.handle(Command(member, dm, text="/skill done")).posts
    assert [p.to_channel.channel_id for p in posts] == ["555"]
    sender = RecordingSender("discord")
    assert tick(app, sender, FRIDAY) == 1
    assert mentioned(sender.posts[0][1]) == {"200"}
