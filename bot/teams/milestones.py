"""Milestones (a track finished, a 4-week streak), posted at once to the member's team channels.

Only channels the member opted in to, on the same platform and workspace; each milestone once
(MilestonePost's unique (user, kind, key)). Nothing is recorded for people who share nowhere.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.deps import Deps
from bot.core.model import Post, Reply
from bot.core.ports import TeamStorePort
from bot.core.records import EnrollmentRecord, UserRecord
from bot.core.schedule import week_key
from bot.core.states import EnrollmentStatus, StepKind
from bot.core.text import mention
from bot.core.tracks import streak_weeks

STREAK = 4


def make_hook(deps: Deps, store: TeamStorePort):
    def on_progress(user: UserRecord, enrollment: EnrollmentRecord) -> list[Post]:
        return milestone_posts(deps, store, user, enrollment)
    return on_progress


def milestone_posts(deps: Deps, store: TeamStorePort, user: UserRecord, enrollment: EnrollmentRecord) -> list[Post]:
    channels = store.shared_channels(user)
    if not channels:
        return []
    who = mention(user.platform_user_id, user.display_name or user.platform_user_id)
    found: list[tuple[str, str, Reply]] = []
    if enrollment.status == EnrollmentStatus.FINISHED:
        skill = deps.catalog.skill(enrollment.track_id)
        title = skill.title if skill else enrollment.track_id
        found.append(("track", enrollment.track_id, Reply(
            title="🎉 Track finished", sections=(f"{who} finished the **{title}** track. Congratulations!",),
            private=False)))
    now = deps.clock()
    steps = deps.tracks.user_steps(user.id)
    streak = streak_weeks(steps, user.checkin_tz, now)
    if streak >= STREAK:
        # Keyed by the streak's first week: one post per streak, however long it runs.
        first = _streak_start(now, user.checkin_tz, steps, streak)
        found.append(("streak4", first, Reply(
            title="🔥 4-week streak", sections=(f"{who} has finished a step {STREAK} weeks in a row. Keep going!",),
            private=False)))
    posts: list[Post] = []
    for kind, key, reply in found:
        if store.record_milestone(user.id, kind, key):
            posts.extend(Post(reply, to_channel=c.ref) for c in channels)
    return posts


def _streak_start(now: datetime, tz: str, steps, streak: int) -> str:
    this_week = week_key(now, tz)
    done_weeks = {week_key(s.at, tz) for s in steps if s.kind == StepKind.DONE}
    last = now if this_week in done_weeks else now - timedelta(weeks=1)
    return week_key(last - timedelta(weeks=streak - 1), tz)
