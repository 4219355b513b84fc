"""Track commands: join, progress, done, skip, pause, resume, leave, schedule."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from bot.content.schema import Skill
from bot.core.buttons import pack, require_owner, unpack
from bot.core.deps import Deps
from bot.core.model import Button, Command, Field, Post, Reply, Result, Style, UserError
from bot.core.records import EnrollmentRecord, StepRecord, UserRecord
from bot.core.schedule import (
    Weekly,
    format_local,
    next_occurrence,
    parse_weekday,
    parse_weekly,
    safe_zone,
    week_key,
)
from bot.core.states import EnrollmentStatus, StepKind
from bot.core.text import progress_bar
from bot.core.timezones import ZoneSuggestion, parse_zone

NEXT_TRACK = {
    "programming": "math", "math": "ml", "ml": "deep-learning", "deep-learning": "genai",
    "genai": "mlops", "mlops": "cloud", "cloud": "system-design", "system-design": "data-engineering",
    "data-engineering": "responsible-ai", "responsible-ai": "soft-skills", "soft-skills": "genai",
}


NOT_ON_A_TRACK = "You're not on a track yet. Pick one with `/skill track <skill>`, e.g. `/skill track mlops`."
# A user's schedule before they set one (the users table's column defaults).
DEFAULT_WEEKDAY, DEFAULT_MINUTE = 0, 9 * 60


def user_of(deps: Deps, cmd: Command) -> UserRecord:
    """For commands that store something: get or create the user."""
    return deps.tracks.ensure_user(cmd.user, default_tz=safe_zone(cmd.user.tz))


def stored_user(deps: Deps, cmd: Command) -> UserRecord:
    """For reads and changes to an existing track: never creates a user, so a forgotten user (or
    one who only opened the App Home) is not stored again. Fails kindly when there is nobody."""
    if deps.tracks.find_user(cmd.user) is None:
        raise UserError(NOT_ON_A_TRACK)
    return user_of(deps, cmd)  # they wrote to us: refresh their name, and their DMs work again


def weekly_of(user: UserRecord) -> Weekly:
    return Weekly(user.checkin_weekday, user.checkin_minute, user.checkin_tz)


def next_checkin(deps: Deps, user: UserRecord) -> datetime:
    return next_occurrence(weekly_of(user), deps.clock())


# A new learner needs a few days with the first step before being asked how it went.
FIRST_CHECKIN_AFTER = timedelta(days=3)


def first_checkin(weekly: Weekly, joined_at: datetime, now: datetime) -> datetime:
    """The first scheduled instant at least FIRST_CHECKIN_AFTER after joining (and after now)."""
    return next_occurrence(weekly, max(now, joined_at + FIRST_CHECKIN_AFTER - timedelta(microseconds=1)))


def checkin_for(deps: Deps, user: UserRecord, enrollment: EnrollmentRecord) -> datetime:
    """The next check-in for an enrollment: a fresh one (no step yet) waits out its first days."""
    if enrollment.current_step == 0 and not deps.tracks.steps(enrollment.id):
        return first_checkin(weekly_of(user), enrollment.started_at, deps.clock())
    return next_checkin(deps, user)


def track_skill(deps: Deps, track_id: str) -> Skill:
    skill = deps.catalog.skill(track_id)
    if skill is None:
        raise UserError(f"There's no track called “{track_id[:40]}”.")
    return skill


def resolve_track(deps: Deps, text: str) -> Skill:
    """A track by id, alias or a close spelling; the same lookup as questions, skills only."""
    match = deps.searcher.search(text)
    skill = deps.catalog.skill(match.skill_id) if match.skill_id and match.how != "search" else None
    if skill is None:
        ids = ", ".join(f"`{s.id}`" for s in deps.catalog.skills)
        raise UserError(f"I don't have a track called “{text[:40]}”. Tracks: {ids}.")
    return skill


def step_text(skill: Skill, index: int) -> str:
    step = skill.track[index]
    return f"**Week {index + 1}: {step.title}**\n{step.do}\nDone when: {step.done_when}"


def current_or_fail(deps: Deps, user: UserRecord) -> tuple[EnrollmentRecord, Skill]:
    enrollment = deps.tracks.current(user.id)
    if enrollment is None:
        raise UserError(NOT_ON_A_TRACK)
    return enrollment, track_skill(deps, enrollment.track_id)


# -- join -----------------------------------------------------------------------------------
def join(deps: Deps, cmd: Command, args: str) -> Result:
    if not args:
        lines = [f"- `{s.id}`: {s.title} ({len(s.track)} weeks)" for s in deps.catalog.skills]
        return Result.of(Reply(title="Learning tracks", sections=("\n".join(lines), "Join one with `/skill track <id>`.")))
    skill = resolve_track(deps, args)
    return join_skill(deps, cmd, skill, confirmed=False)


def join_skill(deps: Deps, cmd: Command, skill: Skill, confirmed: bool) -> Result:
    user = user_of(deps, cmd)
    current = deps.tracks.current(user.id)
    if current and current.track_id == skill.id:
        if current.status == EnrollmentStatus.PAUSED and confirmed:
            return resume(deps, cmd)
        return Result.of(Reply(title=f"You're already on the {skill.title} track", sections=(step_text(skill, current.current_step),)))
    if current and not confirmed and current.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED):
        old = track_skill(deps, current.track_id)
        return Result.of(Reply(
            title=f"Switch from {old.title} to {skill.title}?",
            sections=((f"You're at week {current.current_step + 1} of {len(old.track)} on {old.title}. "
                      "Your progress there is kept; come back any time with "
                      f"`/skill track {old.id}` to resume."),),
            buttons=(
                Button(f"Switch to {skill.title}", "track.switch", pack(skill.id, cmd.user.user_id), Style.PRIMARY),
                Button(f"Stay on {old.title}", "cancel", pack(cmd.user.user_id)),
            ),
        ))
    enrollment, resumed = deps.tracks.join(user.id, skill.id, first_checkin(weekly_of(user), deps.clock(), deps.clock()))
    if enrollment.status == EnrollmentStatus.FINISHED:
        return Result.of(Reply(title=f"You've already finished the {skill.title} track 🎉",
                               sections=(_suggest_next(deps, user),)))
    if resumed:
        enrollment = deps.tracks.set_status(enrollment.id, EnrollmentStatus.ACTIVE, checkin_for(deps, user, enrollment))
    first = "Welcome back" if resumed else "You're on the track"
    from bot.core.onboarding import schedule_question  # onboarding builds on tracks, not the other way
    question, buttons = schedule_question(cmd, user) if not user.schedule_set else ("", ())
    return Result.of(Reply(
        title=f"{first}: {skill.title}",
        sections=(step_text(skill, enrollment.current_step), _checkin_note(deps, user, enrollment), question),
        buttons=buttons,
        footer="Finished this step? `/skill done`. Progress: `/skill progress`.",
    ))


def switch_button(deps: Deps, cmd: Command) -> Result:
    skill_id, owner = unpack(cmd.value, 2)
    require_owner(cmd, owner)
    return join_skill(deps, cmd, track_skill(deps, skill_id), confirmed=True)


def join_button(deps: Deps, cmd: Command) -> Result:
    return join_skill(deps, cmd, track_skill(deps, cmd.value), confirmed=False)


def _checkin_note(deps: Deps, user: UserRecord, enrollment: EnrollmentRecord) -> str:
    if enrollment.next_checkin_at is None:
        return ""
    when = format_local(enrollment.next_checkin_at, user.checkin_tz)
    return f"Next check-in: {when}. Change it with `/skill schedule <weekday> <HH:MM> [zone]`."


# -- progress -------------------------------------------------------------------------------
def streak_weeks(steps: list[StepRecord], tz: str, now: datetime) -> int:
    """Weeks in a row, up to this week or last week, with at least one done step."""
    done_weeks = {week_key(s.at, tz) for s in steps if s.kind == StepKind.DONE}
    this_week = week_key(now, tz)
    cursor = now if this_week in done_weeks else now - timedelta(weeks=1)
    count = 0
    while week_key(cursor, tz) in done_weeks:
        count += 1
        cursor -= timedelta(weeks=1)
    return count


def progress_reply(deps: Deps, user: UserRecord, enrollment: EnrollmentRecord, skill: Skill) -> Reply:
    total = len(skill.track)
    steps = deps.tracks.steps(enrollment.id)
    done = sum(1 for s in steps if s.kind == StepKind.DONE)
    skipped = sum(1 for s in steps if s.kind == StepKind.SKIPPED)
    streak = streak_weeks(deps.tracks.user_steps(user.id), user.checkin_tz, deps.clock())
    position = min(enrollment.current_step, total)
    sections = [progress_bar(position, total)]
    if enrollment.status == EnrollmentStatus.FINISHED:
        sections.append("You finished this track. 🎉 " + _suggest_next(deps, user))
    else:
        sections.append("Up next: " + step_text(skill, enrollment.current_step))
    if enrollment.status == EnrollmentStatus.PAUSED:
        sections.append("Check-ins are paused. `/skill resume` to pick up again.")
    return Reply(
        title=f"{skill.title} track: step {min(position + 1, total)} of {total}"
        if enrollment.status != EnrollmentStatus.FINISHED else f"{skill.title} track: finished",
        sections=tuple(sections),
        fields=(
            Field("Steps done", str(done)), Field("Skipped", str(skipped)),
            Field("Streak", f"{streak} week{'s' if streak != 1 else ''}"), Field("Status", enrollment.status),
            *_feature_fields(deps, user),
        ),
        footer=_checkin_note(deps, user, enrollment),
    )


def _feature_fields(deps: Deps, user: UserRecord) -> list[Field]:
    """Lines features add to progress (recall), in the order they were installed."""
    return [f for f in (hook(user) for hook in deps.progress_fields) if f is not None]


def progress(deps: Deps, cmd: Command) -> Result:
    user = stored_user(deps, cmd)
    enrollment = deps.tracks.current(user.id)
    if enrollment is None:
        latest = next(iter(deps.tracks.enrollments(user.id)), None)
        if latest and latest.status == EnrollmentStatus.LEFT:
            return Result.of(_left_reply(deps, latest))
        finished = _latest_finished(deps, user)
        if finished:
            return Result.of(progress_reply(deps, user, finished, track_skill(deps, finished.track_id)))
        raise UserError(NOT_ON_A_TRACK)
    return Result.of(progress_reply(deps, user, enrollment, track_skill(deps, enrollment.track_id)))


def _left_reply(deps: Deps, left: EnrollmentRecord) -> Reply:
    skill = track_skill(deps, left.track_id)
    week = min(left.current_step + 1, len(skill.track))
    return Reply(
        title=f"You left the {skill.title} track at week {week} of {len(skill.track)}",
        sections=((f"Your progress is kept. Come back with `/skill track {skill.id}` and you pick up at week {week}, "
                  "or see every track with `/skill track`."),),
        buttons=(Button(f"Back to {skill.title}", "track.join", skill.id, Style.PRIMARY),),
    )


# -- done / skip ----------------------------------------------------------------------------
def advance(deps: Deps, cmd: Command, kind: str, note: str = "", step_index: int | None = None,
            enrollment_id: int | None = None) -> Result:
    """Finish or skip a step. With step_index (a button) only that exact step is touched."""
    user = stored_user(deps, cmd)
    if enrollment_id is not None:
        enrollment = deps.tracks.enrollment(enrollment_id)
        if enrollment is None or enrollment.user_id != user.id:
            raise UserError("That check-in is no longer current, so I left your progress as it is.")
        skill = track_skill(deps, enrollment.track_id)
    else:
        enrollment = deps.tracks.current(user.id) or _latest_finished(deps, user)
        if enrollment is None:
            enrollment, _ = current_or_fail(deps, user)
        skill = track_skill(deps, enrollment.track_id)
    if enrollment.status == EnrollmentStatus.FINISHED:
        return Result.of(Reply(title=f"You've finished the {skill.title} track 🎉", sections=(_suggest_next(deps, user),)))
    if enrollment.status == EnrollmentStatus.LEFT:
        raise UserError(f"You're no longer on the {skill.title} track; `/skill track {skill.id}` to go back.")
    index = enrollment.current_step if step_index is None else step_index
    outcome = deps.tracks.record_step(enrollment.id, index, kind, len(skill.track), note[:500] or None,
                                      next_checkin(deps, user))
    if not outcome.recorded:
        return Result.of(Reply(
            title="Already recorded",
            sections=(f"Week {index + 1} of {skill.title} was already marked, so nothing changed.",
                      "Your progress: `/skill progress`."),
        ))
    deps.tracks.reset_unanswered(user.id)  # answering by command counts as answering the check-in
    posts: list[Post] = []
    for hook in deps.progress_hooks:
        posts.extend(hook(user, outcome.enrollment))
    reply = _after_step(deps, user, outcome.enrollment, skill, kind, index)
    if step_index is None:  # typed, not a check-in button: say what was marked and what it means
        reply = _typed_step_notes(reply, cmd, enrollment, outcome.enrollment, index, note)
    return Result(replies=[reply], posts=posts)


# "week 1", "wk 2", "step 3": the week a learner's note names, which may not be the one just marked.
_WEEK_MENTION = re.compile(r"\b(?:week|wk|step)\s*#?\s*(\d{1,2})\b", re.IGNORECASE)


def _typed_step_notes(reply: Reply, cmd: Command, before: EnrollmentRecord, after: EnrollmentRecord,
                      index: int, note: str) -> Reply:
    """The note echoed, a named other week pointed out (with Undo), a paused track offered to resume."""
    sections, buttons = list(reply.sections), list(reply.buttons)
    owner = cmd.user.user_id
    if note:
        sections.insert(0, f"Your note: “{note[:500]}”")
    named = _WEEK_MENTION.search(note or "")
    if named and int(named.group(1)) != index + 1:
        sections.insert(0, f"You wrote “{named.group(0)}”, but `/skill done` always marks your current week, "
                           f"so I marked **week {index + 1}**. Not what you meant? Press Undo.")
        buttons.append(Button("Undo", "step.undo", pack(before.id, index, owner)))
    if before.status == EnrollmentStatus.PAUSED and after.status == EnrollmentStatus.PAUSED:
        sections.append("Your track is paused, so no check-ins are coming. Resume them?")
        buttons += [Button("Resume check-ins", "track.resume", pack(owner), Style.PRIMARY),
                    Button("Stay paused", "cancel", pack(owner))]
    return replace(reply, sections=tuple(sections), buttons=tuple(buttons))


def _latest_finished(deps: Deps, user: UserRecord) -> EnrollmentRecord | None:
    return next((e for e in deps.tracks.enrollments(user.id) if e.status == EnrollmentStatus.FINISHED), None)


def _after_step(deps: Deps, user: UserRecord, enrollment: EnrollmentRecord, skill: Skill, kind: str, index: int) -> Reply:
    verb = "Done" if kind == StepKind.DONE else "Skipped"
    if enrollment.status == EnrollmentStatus.FINISHED:
        return Reply(
            title=f"🎉 You finished the {skill.title} track!",
            sections=(f"All {len(skill.track)} weeks are behind you. Well done.", _suggest_next(deps, user)),
        )
    return Reply(
        title=f"{verb}: week {index + 1} of {skill.title}",
        sections=(progress_bar(enrollment.current_step, len(skill.track)), "Next: " + step_text(skill, enrollment.current_step)),
    )


def _suggest_next(deps: Deps, user: UserRecord) -> str:
    """Follow the suggested order from the latest finished track to the first one not yet finished."""
    records = deps.tracks.enrollments(user.id)
    finished = {e.track_id for e in records if e.status == EnrollmentStatus.FINISHED}
    candidate = NEXT_TRACK.get(next((e.track_id for e in records if e.status == EnrollmentStatus.FINISHED), "soft-skills"))
    for _ in range(len(NEXT_TRACK)):
        if candidate not in finished:
            break
        candidate = NEXT_TRACK.get(candidate)
    skill = deps.catalog.skill(candidate) if candidate and candidate not in finished else None
    return f"Suggested next: **{skill.title}**: `/skill track {skill.id}`." if skill else "Pick another with `/skill list`."


def done(deps: Deps, cmd: Command, args: str) -> Result:
    return advance(deps, cmd, StepKind.DONE, note=args)


def skip(deps: Deps, cmd: Command, args: str) -> Result:
    return advance(deps, cmd, StepKind.SKIPPED)


# -- pause / resume / leave -----------------------------------------------------------------
def pause(deps: Deps, cmd: Command, args: str = "") -> Result:
    user = stored_user(deps, cmd)
    enrollment, skill = current_or_fail(deps, user)
    if enrollment.status == EnrollmentStatus.PAUSED:
        return Result.of(Reply(title="Already paused", sections=("`/skill resume` when you're ready.",)))
    deps.tracks.set_status(enrollment.id, EnrollmentStatus.PAUSED)
    return Result.of(Reply(title=f"Paused the {skill.title} track",
                           sections=("No check-ins until you say `/skill resume`. Your progress is kept.",)))


def resume(deps: Deps, cmd: Command, args: str = "") -> Result:
    user = stored_user(deps, cmd)
    enrollment, skill = current_or_fail(deps, user)
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return Result.of(Reply(title=f"Your {skill.title} track is already running",
                               sections=(step_text(skill, enrollment.current_step),)))
    deps.tracks.reset_unanswered(user.id)
    enrollment = deps.tracks.set_status(enrollment.id, EnrollmentStatus.ACTIVE, next_checkin(deps, user))
    return Result.of(Reply(title=f"Welcome back to {skill.title}",
                           sections=(step_text(skill, enrollment.current_step), _checkin_note(deps, user, enrollment))))


def leave(deps: Deps, cmd: Command, args: str = "") -> Result:
    """leave, quit, stop: easy to type by accident, so ask first."""
    user = stored_user(deps, cmd)
    enrollment, skill = current_or_fail(deps, user)
    owner = cmd.user.user_id
    return Result.of(Reply(
        title=f"Leave the {skill.title} track?",
        sections=((f"You're at week {enrollment.current_step + 1} of {len(skill.track)}. Your progress is kept: "
                  f"`/skill track {skill.id}` brings you back. To stop check-ins for a while instead: `/skill pause`."),),
        buttons=(Button("Leave the track", "leave.confirm", pack(enrollment.id, owner), Style.DANGER),
                 Button(f"Stay on {skill.title}", "cancel", pack(owner))),
    ))


def leave_confirmed(deps: Deps, cmd: Command) -> Result:
    enrollment_id, owner = unpack(cmd.value, 2)
    require_owner(cmd, owner)
    user = user_of(deps, cmd)
    enrollment = deps.tracks.current(user.id)
    if enrollment is None or str(enrollment.id) != enrollment_id:
        return Result.of(Reply(title="Nothing to leave", sections=(("That track is no longer your current one. "
                                                                   "`/skill progress` shows where you are."),)))
    skill = track_skill(deps, enrollment.track_id)
    deps.tracks.set_status(enrollment.id, EnrollmentStatus.LEFT)
    return Result.of(Reply(title=f"You left the {skill.title} track",
                           sections=((f"Your progress is kept: `/skill track {skill.id}` resumes at week "
                                     f"{enrollment.current_step + 1}."),)))


def resume_button(deps: Deps, cmd: Command) -> Result:
    (owner,) = unpack(cmd.value, 1)
    require_owner(cmd, owner)
    return resume(deps, cmd)


# -- schedule -------------------------------------------------------------------------------
def schedule(deps: Deps, cmd: Command, args: str) -> Result:
    if not args:
        # Showing the schedule stores nobody new.
        stored = user_of(deps, cmd) if deps.tracks.find_user(cmd.user) else None
        weekly = weekly_of(stored) if stored else Weekly(DEFAULT_WEEKDAY, DEFAULT_MINUTE, safe_zone(cmd.user.tz))
        when = format_local(next_occurrence(weekly, deps.clock()), weekly.tz)
        state = "" if stored and stored.schedule_set else " (the default)"
        return Result.of(Reply(title="Your weekly check-in", sections=(
            f"{weekly.describe()}{state}. The next one would be {when}.",
            "Change it: `/skill schedule <weekday> <HH:MM> [time zone]`, e.g. `/skill schedule fri 17:30 Europe/Berlin`.",
        )))
    user = user_of(deps, cmd)
    try:
        weekly = _zone_only(args, user) or parse_weekly(args, user.checkin_tz)
    except ZoneSuggestion as suggestion:
        return Result.of(_zone_question(cmd, user, args, suggestion))
    return Result.of(save_schedule(deps, user, weekly))


_TIME_WORD = re.compile(r"^\d{1,2}(?:[:.h]\d{2})?(?:am|pm)?$", re.IGNORECASE)


def _zone_only(args: str, user: UserRecord) -> Weekly | None:
    """`/skill schedule berlin`: the zone alone, keeping the day and time (how Discord users answer)."""
    words = args.split()
    if len(words) > 3 or _looks_like_day(words[0]) or any(_TIME_WORD.match(w) for w in words):
        return None
    return Weekly(user.checkin_weekday, user.checkin_minute, parse_zone(args))


def _zone_question(cmd: Command, user: UserRecord, args: str, suggestion: ZoneSuggestion) -> Reply:
    words = args.split()
    weekly = (Weekly(user.checkin_weekday, user.checkin_minute, "UTC") if not _looks_like_day(words[0])
              else parse_weekly(" ".join(words[:2]), "UTC"))
    owner = cmd.user.user_id
    return Reply(
        title=f"Did you mean {suggestion.zone}?",
        sections=(suggestion.question,),
        buttons=(Button(f"Use {suggestion.zone}", "schedule.set",
                        pack(weekly.weekday, weekly.minute, suggestion.zone, owner), Style.PRIMARY),
                 Button("Cancel", "cancel", pack(owner))),
    )


def _looks_like_day(word: str) -> bool:
    try:
        parse_weekday(word)
        return True
    except UserError:
        return False


def save_schedule(deps: Deps, user: UserRecord, weekly: Weekly) -> Reply:
    """Store the weekly check-in time and move the current track's next check-in to match."""
    deps.tracks.set_schedule(user.id, weekly.weekday, weekly.minute, weekly.tz)
    user = deps.tracks.user_by_id(user.id) or user
    upcoming = next_occurrence(weekly, deps.clock())
    enrollment = deps.tracks.current(user.id)
    if enrollment and enrollment.status == EnrollmentStatus.ACTIVE:
        upcoming = checkin_for(deps, user, enrollment)
        deps.tracks.set_next_checkin(enrollment.id, upcoming)
    return Reply(title="Check-in schedule saved", sections=(
        f"Every {weekly.describe()}.", f"Next check-in: {format_local(upcoming, weekly.tz)}.",
    ))
