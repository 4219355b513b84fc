"""`/skill assess <skill>`: the adaptive placement quiz, its answer buttons and its end buttons."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.schema import Skill
from bot.core.buttons import pack, unpack
from bot.core.deps import Deps
from bot.core.model import Button, Command, Reply, Result, Style, UserError
from bot.core.ports import AssessmentStorePort
from bot.core.quizview import is_right, question_reply, verdict
from bot.core.records import AnswerRecord, AssessmentRecord, UserRecord
from bot.core.states import AssessmentStatus, EnrollmentStatus, Level, StepKind
from bot.core.tracks import next_checkin, resolve_track, step_text, track_skill, user_of
from bot.placement import adaptive

ANSWER = "assess.answer"
RESUME = "assess.resume"
RESTART = "assess.restart"
START_WEEK = "assess.week"
RETAKE = "assess.retake"
SEE_MATRIX = "assess.matrix"
RETAKE_AFTER = timedelta(days=14)

STALE = ("That question is from an assessment that is over or was started again, so I left it alone. "
         "`/skill assess <skill>` shows where you are.")


def store_of(deps: Deps) -> AssessmentStorePort:
    if deps.assessments is None:
        raise RuntimeError("the placement feature is not wired (no assessment store)")
    return deps.assessments


def local_date(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).date().isoformat()


# -- asking ---------------------------------------------------------------------------------
def ask_reply(deps: Deps, skill: Skill, assessment: AssessmentRecord, before: str = "") -> Reply:
    """The next question of an open assessment, with the verdict on the last answer above it."""
    question = adaptive.next_question(deps.catalog, skill, assessment.answers)
    if question is None:  # not reachable for an open assessment with questions left; keeps the type honest
        raise UserError(f"I have no more {skill.title} questions. `/skill assess {skill.id}` to start again.")
    number = len(assessment.answers) + 1
    reply = question_reply(question, f"{skill.title} assessment · question {number}", ANSWER,
                           assessment.id, len(assessment.answers),
                           footer=f"{adaptive.MIN_QUESTIONS}–{adaptive.MAX_QUESTIONS} questions; "
                                  "each answer sets the next one's level.")
    return replace(reply, sections=(before, *reply.sections)) if before else reply


def assess(deps: Deps, cmd: Command, args: str) -> Result:
    if not args.strip():
        ids = ", ".join(f"`{s.id}`" for s in deps.catalog.skills)
        raise UserError(f"Which skill? `/skill assess <skill>`, e.g. `/skill assess mlops`. Skills: {ids}.")
    skill = resolve_track(deps, args)
    user = user_of(deps, cmd)
    store = store_of(deps)
    current = store.open_for(user.id, skill.id)
    if current is not None and current.answers:
        return Result.of(Reply(
            title=f"You have an unfinished {skill.title} assessment",
            sections=((f"{len(current.answers)} question{'s' if len(current.answers) != 1 else ''} answered. "
                       "Carry on where you stopped, or start again from the first question?"),),
            buttons=(Button("Resume", RESUME, pack(current.id), Style.PRIMARY),
                     Button("Start over", RESTART, pack(skill.id))),
        ))
    if current is not None:
        return Result.of(ask_reply(deps, skill, current))
    wait = _retake_wait(deps, user, skill)
    if wait is not None:
        return Result.of(wait)
    return Result.of(_intro(skill, ask_reply(deps, skill, store.start(user.id, skill.id))))


def _intro(skill: Skill, reply: Reply) -> Reply:
    note = (f"A short quiz places you at entry, mid or senior level in {skill.title}. It starts at mid; "
            "a right answer makes the next question harder, a wrong one easier.")
    return replace(reply, sections=(note, *reply.sections))


def _retake_wait(deps: Deps, user: UserRecord, skill: Skill) -> Reply | None:
    """A kind refusal while the last result is younger than 14 days; None when a new quiz may start."""
    last = store_of(deps).latest(user.id, skill.id)
    if last is None or last.finished_at is None or deps.clock() - last.finished_at >= RETAKE_AFTER:
        return None
    again = local_date(last.finished_at + RETAKE_AFTER, user.checkin_tz)
    return Reply(
        title=f"You took the {skill.title} assessment on {local_date(last.finished_at, user.checkin_tz)}",
        sections=(f"Level: {last.level}", (f"You can retake it from {again}: two weeks apart, so a new result "
                                           "shows what you learned rather than what you remember of the questions.")),
        buttons=(Button("See my matrix", SEE_MATRIX, ""),),
    )


# -- answering ------------------------------------------------------------------------------
def _own(deps: Deps, cmd: Command, assessment_id: str) -> tuple[UserRecord, AssessmentRecord]:
    user = user_of(deps, cmd)
    assessment = store_of(deps).get(int(assessment_id)) if assessment_id.isdigit() else None
    if assessment is None:
        raise UserError(STALE)
    if assessment.user_id != user.id:
        raise UserError("That quiz belongs to someone else, so I left it alone. Take your own with "
                        "`/skill assess <skill>`.")
    return user, assessment


def answer(deps: Deps, cmd: Command) -> Result:
    assessment_id, position, question_id, chosen = unpack(cmd.value, 4)
    user, assessment = _own(deps, cmd, assessment_id)
    skill = track_skill(deps, assessment.skill_id)
    if assessment.status != AssessmentStatus.OPEN:
        raise UserError(STALE)
    expected = adaptive.next_question(deps.catalog, skill, assessment.answers)
    if not position.isdigit() or int(position) != len(assessment.answers) or expected is None \
            or expected.id != question_id or not chosen.isdigit() or int(chosen) >= len(expected.options):
        return Result.of(ask_reply(deps, skill, assessment,
                                   before="You already answered that one; here is where you are."))
    record = AnswerRecord(len(assessment.answers), expected.id, expected.topic, expected.level, int(chosen),
                          is_right(expected, int(chosen)), deps.clock())
    if not store_of(deps).record_answer(assessment.id, record):  # a double click that lost the race
        raise UserError("You already answered that one.")
    answers = (*assessment.answers, record)
    feedback = verdict(expected, int(chosen))
    updated = replace(assessment, answers=answers)
    if adaptive.next_question(deps.catalog, skill, answers) is not None:
        return Result.of(ask_reply(deps, skill, updated, before=feedback))
    return Result.of(_finish(deps, user, skill, updated, feedback))


def _finish(deps: Deps, user: UserRecord, skill: Skill, assessment: AssessmentRecord, feedback: str) -> Reply:
    level = adaptive.estimate(assessment.answers)
    finished = store_of(deps).finish(assessment.id, level)
    if finished is None:
        raise UserError(STALE)
    week = adaptive.start_week(skill, finished.answers)
    return Reply(
        title=f"{skill.title} assessment: done",
        sections=(feedback, f"**Level: {level}**", evidence(deps, finished), _meaning(skill, level)),
        buttons=(
            Button(f"Start the track at week {week}", START_WEEK, pack(finished.id, week), Style.PRIMARY),
            Button("Retake in 14 days", RETAKE, pack(skill.id)),
            Button("See my matrix", SEE_MATRIX, ""),
        ),
    )


def evidence(deps: Deps, assessment: AssessmentRecord) -> str:
    """"7 of 9 right; missed: canary releases, drift tests"."""
    right = sum(a.correct for a in assessment.answers)
    titles = []
    for topic_id in adaptive.missed_topics(assessment.answers):
        owner = deps.catalog.owner(topic_id)
        topic = owner.topic(topic_id) if owner else None
        titles.append(topic.title if topic else topic_id)
    return f"{right} of {len(assessment.answers)} right; missed: {', '.join(titles) or 'nothing'}"


def _meaning(skill: Skill, level: str) -> str:
    if level == Level.NEW:
        return f"Not yet at entry level in {skill.title}: the track from week 1 is the place to start."
    expected = getattr(skill.levels, level)
    return f"At {level} level you are expected to:\n" + "\n".join(f"- {line}" for line in expected[:3])


# -- resume / restart / retake --------------------------------------------------------------
def resume(deps: Deps, cmd: Command) -> Result:
    (assessment_id,) = unpack(cmd.value, 1)
    _, assessment = _own(deps, cmd, assessment_id)
    if assessment.status != AssessmentStatus.OPEN:
        raise UserError(STALE)
    return Result.of(ask_reply(deps, track_skill(deps, assessment.skill_id), assessment))


def restart(deps: Deps, cmd: Command) -> Result:
    (skill_id,) = unpack(cmd.value, 1)
    skill = track_skill(deps, skill_id)
    user = user_of(deps, cmd)
    return Result.of(_intro(skill, ask_reply(deps, skill, store_of(deps).start(user.id, skill.id))))


def retake(deps: Deps, cmd: Command) -> Result:
    (skill_id,) = unpack(cmd.value, 1)
    skill = track_skill(deps, skill_id)
    user = user_of(deps, cmd)
    wait = _retake_wait(deps, user, skill)
    if wait is not None:
        return Result.of(wait)
    return Result.of(_intro(skill, ask_reply(deps, skill, store_of(deps).start(user.id, skill.id))))


# -- start the track at week N --------------------------------------------------------------
def start_week(deps: Deps, cmd: Command) -> Result:
    """Join (or switch to) the skill's track and move it to week N; earlier weeks are marked skipped."""
    assessment_id, week = unpack(cmd.value, 2)
    user, assessment = _own(deps, cmd, assessment_id)
    skill = track_skill(deps, assessment.skill_id)
    if not week.isdigit() or not 1 <= int(week) <= len(skill.track):
        raise UserError(STALE)
    target = int(week) - 1
    enrollment, _ = deps.tracks.join(user.id, skill.id, next_checkin(deps, user))
    if enrollment.status == EnrollmentStatus.FINISHED:
        return Result.of(Reply(title=f"You've already finished the {skill.title} track 🎉",
                               sections=("`/skill list` shows the others.",)))
    note = f"placement: assessed {assessment.level or 'unknown'}"
    while enrollment.current_step < target:
        outcome = deps.tracks.record_step(enrollment.id, enrollment.current_step, StepKind.SKIPPED,
                                          len(skill.track), note, next_checkin(deps, user))
        enrollment = outcome.enrollment
        if not outcome.recorded:  # someone (a check-in button) moved it meanwhile: stop where it is
            break
    where = enrollment.current_step
    moved = (f"Weeks 1–{target} are marked skipped, from your assessment." if target > 0 and where == target
             else f"You were already at week {where + 1}, so I left your progress there." if where > target
             else "")
    return Result.of(Reply(
        title=f"You're on the {skill.title} track, at week {where + 1}",
        sections=tuple(s for s in (moved, step_text(skill, where)) if s),
        footer="Finished this step? `/skill done`. Progress: `/skill progress`.",
    ))


# -- export ---------------------------------------------------------------------------------
def export(deps: Deps, user: UserRecord) -> list[dict]:
    """Every assessment with its answers, for `/skill export`."""
    return [
        {
            "skill": a.skill_id, "status": a.status, "level": a.level, "started_at": a.started_at.isoformat(),
            "finished_at": a.finished_at.isoformat() if a.finished_at else None,
            "answers": [{"question": x.question_id, "topic": x.topic_id, "level": x.level, "chosen": x.chosen,
                         "correct": x.correct, "at": x.at.isoformat()} for x in a.answers],
        }
        for a in store_of(deps).history(user.id)
    ]
