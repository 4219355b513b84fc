"""`/skill team here|off|schedule` (admins), `/skill team` (the board, privately), `/skill share on|off`."""
from __future__ import annotations

from datetime import timedelta

from bot.core.buttons import pack
from bot.core.deps import Deps
from bot.core.model import Button, Command, Reply, Result, Style, UserError
from bot.core.ports import TeamStorePort
from bot.core.records import TeamChannelRecord, UserRecord
from bot.core.schedule import Weekly, format_local, parse_weekly
from bot.core.tracks import user_of
from bot.teams.board import Window, build_board

DEFAULT_WEEKDAY, DEFAULT_MINUTE = 4, 16 * 60  # Friday 16:00 in the admin's zone
SHARE_ON = "team.share"

NOT_TEAM = ("This channel isn't a team channel. An admin can make it one with `/skill team here`; "
            "members then opt in with `/skill share on`.")
USAGE = ("Team commands: `/skill team` (this week's board), `/skill team matrix`, `/skill share on|off`. Admins: "
         "`/skill team here`, `/skill team schedule <weekday> <HH:MM> [time zone]`, `/skill team off`.")


def store_of(deps: Deps) -> TeamStorePort:
    return deps.teams


def is_admin(deps: Deps, cmd: Command) -> bool:
    return cmd.user.is_admin or cmd.user.user_id in deps.admins


def _require_admin(deps: Deps, cmd: Command, what: str) -> None:
    if not is_admin(deps, cmd):
        raise UserError(f"Only workspace admins can {what}. Ask an admin, or one listed in SKILLBOT_ADMINS.")


def _require_channel(cmd: Command) -> None:
    if cmd.channel.is_dm:
        raise UserError("Team sharing happens in a channel. Run this in the team's channel, not in a DM.")


def _team_channel(deps: Deps, cmd: Command) -> TeamChannelRecord:
    _require_channel(cmd)
    channel = store_of(deps).channel(cmd.channel)
    if channel is None or not channel.active:
        raise UserError(NOT_TEAM)
    return channel


def _when(channel: TeamChannelRecord) -> str:
    nxt = f" Next: {format_local(channel.next_digest_at, channel.weekly.tz)}." if channel.next_digest_at else ""
    return f"Weekly digest every {channel.weekly.describe()}.{nxt}"


# -- /skill team ----------------------------------------------------------------------------
def team(deps: Deps, cmd: Command, args: str) -> Result:
    word, _, rest = args.strip().partition(" ")
    word = word.lower()
    if word in ("", "board", "show"):
        return board(deps, cmd)
    if word in ("here", "on", "start"):
        return here(deps, cmd)
    if word in ("off", "stop", "end"):
        return off(deps, cmd)
    if word in ("schedule", "when"):
        return schedule(deps, cmd, rest.strip())
    if word in deps.team_views:  # views other features add, e.g. `/skill team matrix`
        return deps.team_views[word](deps, cmd, _team_channel(deps, cmd))
    raise UserError(USAGE)


def here(deps: Deps, cmd: Command) -> Result:
    _require_channel(cmd)
    _require_admin(deps, cmd, "make a channel a team channel")
    admin = user_of(deps, cmd)
    default = Weekly(DEFAULT_WEEKDAY, DEFAULT_MINUTE, admin.checkin_tz)
    channel, already = store_of(deps).enable(cmd.channel, admin.id, default)
    if already:
        return Result.of(Reply(title="This is already a team channel", sections=(_when(channel),)))
    return Result.of(Reply(
        title="This is now a team channel 🎉",
        sections=(
            ("Members who opt in have their learning progress shared here: a weekly digest and a post when "
            "someone finishes a track. Nobody's progress is shared without their opt-in."),
            "Opt in with `/skill share on` (or the button), out any time with `/skill share off`.",
            _when(channel),
        ),
        buttons=(Button("Share my progress here", SHARE_ON, pack("on"), Style.PRIMARY),),
        footer="Admins: `/skill team schedule <weekday> <HH:MM> [time zone]`, `/skill team off`.",
        private=False,
    ))


def off(deps: Deps, cmd: Command) -> Result:
    _require_admin(deps, cmd, "switch a team channel off")
    channel = _team_channel(deps, cmd)
    store_of(deps).disable(channel.id)
    return Result.of(Reply(title="Team channel switched off", sections=(
        ("No more digests or milestone posts here. Members' opt-ins are kept in case it's switched on again "
        "with `/skill team here`."),)))


def schedule(deps: Deps, cmd: Command, args: str) -> Result:
    channel = _team_channel(deps, cmd)
    if not args:
        return Result.of(Reply(title="Team digest", sections=(
            _when(channel), ("Admins change it with `/skill team schedule <weekday> <HH:MM> [time zone]`, "
            "e.g. `/skill team schedule fri 16:00 Europe/Berlin`."))))
    _require_admin(deps, cmd, "change the digest schedule")
    weekly = parse_weekly(args, channel.weekly.tz)
    upcoming = store_of(deps).set_schedule(channel.id, weekly)
    return Result.of(Reply(title="Digest schedule saved", sections=(
        f"Every {weekly.describe()}.", f"Next digest: {format_local(upcoming, weekly.tz)}.")))


def board(deps: Deps, cmd: Command) -> Result:
    channel = _team_channel(deps, cmd)
    now = deps.clock()
    members = store_of(deps).members(channel.id)
    reply = build_board(deps.catalog, members, Window(now - timedelta(weeks=1), now), now,
                        "Team board · the last 7 days", private=True)
    user = deps.tracks.find_user(cmd.user)
    sharing = user is not None and store_of(deps).is_sharing(channel.id, user.id)
    mine = ("You share your progress here (`/skill share off` to stop)." if sharing
            else "You don't share your progress here; `/skill share on` to join in.")
    return Result.of(Reply(title=reply.title, sections=reply.sections, fields=reply.fields,
                           footer=f"{mine} {_when(channel)}", private=True))


# -- /skill share ---------------------------------------------------------------------------
def share(deps: Deps, cmd: Command, args: str) -> Result:
    word = args.strip().lower()
    channel = _team_channel(deps, cmd)
    if word in ("on", "yes", "in"):
        return _set_sharing(deps, cmd, channel, True)
    if word in ("off", "no", "out", "stop"):
        return _set_sharing(deps, cmd, channel, False)
    user = deps.tracks.find_user(cmd.user)
    sharing = user is not None and store_of(deps).is_sharing(channel.id, user.id)
    state = "You share your progress here." if sharing else "You don't share your progress here."
    return Result.of(Reply(sections=(f"{state} `/skill share on` or `/skill share off` to change it.",)))


def _set_sharing(deps: Deps, cmd: Command, channel: TeamChannelRecord, on: bool) -> Result:
    user: UserRecord | None
    if on:
        user = user_of(deps, cmd)
    else:  # opting out never creates a user
        user = deps.tracks.find_user(cmd.user)
        if user is None:
            return Result.of(Reply(title="You weren't sharing here", sections=("Nothing changed.",)))
    changed = store_of(deps).set_sharing(channel.id, user.id, on)
    if on:
        title = "You're sharing your progress here" if changed else "You already share your progress here"
        return Result.of(Reply(title=title, sections=(
            ("The weekly digest will include the steps you finish, and the team sees it when you finish a "
            "track. `/skill share off` stops it at once."),)))
    title = "You stopped sharing here" if changed else "You weren't sharing here"
    return Result.of(Reply(title=title, sections=(
        "Your progress won't appear in this channel's digests or milestone posts from now on.",)))


def share_button(deps: Deps, cmd: Command) -> Result:
    """The button under `team here`: whoever presses it opts in (themselves only)."""
    return _set_sharing(deps, cmd, _team_channel(deps, cmd), True)
