"""The conformance scenarios on Slack, in Socket Mode and in HTTP mode: real slack-bolt against FakeSlack."""
from __future__ import annotations

import pytest

from tests.conformance import scenarios


@pytest.mark.parametrize("scenario", scenarios.ALL, ids=lambda s: s.__name__)
async def test_slack_conformance(scenario, driver):
    await scenario(driver)
    assert max(driver.ack_seconds) < 3.0  # every request acknowledged inside Slack's window
