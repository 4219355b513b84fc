"""The command table is the one source of verbs, and features register against it explicitly."""
from __future__ import annotations

import pytest

from bot.adapters.slack_manifest import BOT_SCOPES, manifest
from bot.core.commands import COMMANDS, HELP_LINES, SUGGESTED, VERBS, usage_hint
from bot.core.parse import parse
from bot.runtime.ops import SLACK_SCOPES


def test_every_alias_parses_to_its_verb():
    for spec in COMMANDS:
        for name in (spec.verb, *spec.aliases):
            assert parse(f"/skill {name}").verb == spec.verb


def test_help_and_hints_come_from_the_table():
    assert len(HELP_LINES) == len({c.help_order for c in COMMANDS if c.help})
    assert set(SUGGESTED) <= set(VERBS.values())
    assert manifest()["features"]["slash_commands"][0]["usage_hint"] == usage_hint()


def test_doctor_checks_the_scopes_the_manifest_asks_for():
    assert SLACK_SCOPES == set(BOT_SCOPES) == set(manifest()["oauth_config"]["scopes"]["bot"])


def test_registering_a_verb_twice_fails_loudly(app):
    with pytest.raises(ValueError, match="already registered"):
        app.bot.register_verb("team", lambda d, c, a: None)
    with pytest.raises(ValueError, match="already registered"):
        app.bot.register_button("team.share", lambda d, c: None)
    with pytest.raises(ValueError, match="command table"):
        app.bot.register_verb("dance", lambda d, c, a: None)
