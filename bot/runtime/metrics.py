"""Prometheus metrics, one registry per process (built by the app factory, not at import)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter("skillbot_commands_total", "Commands handled", ["kind", "platform"],
                                registry=self.registry)
        self.latency = Histogram("skillbot_answer_latency_seconds", "Time to build a reply", ["platform"],
                                 buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
                                 registry=self.registry)
        self.checkins = Counter("skillbot_checkins_total", "Check-ins by outcome (due, sent, failed)",
                                ["outcome", "platform"], registry=self.registry)
        self.api_errors = Counter("skillbot_platform_api_errors_total", "Platform API errors",
                                  ["platform", "error"], registry=self.registry)
        self.api_retries = Counter("skillbot_platform_api_retries_total", "Platform API retries",
                                   ["platform"], registry=self.registry)

        self.uncertain = Counter("skillbot_uncertain_sends_total",
                                 "Sends whose outcome is unknown (never retried), by kind (checkin, digest)",
                                 ["kind", "platform"], registry=self.registry)

    def command_handled(self, platform: str, kind: str, seconds: float) -> None:
        self.commands.labels(kind=kind, platform=platform).inc()
        self.latency.labels(platform=platform).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
