"""The conformance scenarios on Discord: the real discord.py client against FakeDiscord."""
from __future__ import annotations

import pytest

from tests.conformance import scenarios


@pytest.mark.parametrize("scenario", scenarios.ALL, ids=lambda s: s.__name__)
async def test_discord_conformance(scenario, driver):
    await scenario(driver)  # the fake fixture also checks allowed_mentions on every message


@pytest.mark.parametrize("scenario", scenarios.ALL, ids=lambda s: s.__name__)
async def test_discord_conformance_when_busy(scenario, driver):
    """Under load every interaction is deferred first and edited in: users see the same thing."""
    driver.tuning["defer_when_busy"] = 0
    await driver.restart()
    await scenario(driver)
    assert all(state.callback["type"] in (5, 8) for state in driver.states)
