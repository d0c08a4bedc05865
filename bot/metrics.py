"""Prometheus metrics: updates, turn latency, errors, messages sent and the outbox depth.

Each process has its own registry (scrape every process); the outbox depth is read from the
shared database at scrape time, so any process reports the same figure.
"""

from __future__ import annotations

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        # Here, not at the top: ~85 ms of CPU to import, which the commands that make no app (`hotro officials`,
        # `export`, `migrate`, …) need not pay.
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.updates = Counter(
            "hotro_updates",
            "Incoming updates by channel and outcome (ok, duplicate, error).",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "hotro_turn_seconds",
            "Time to process one update, including sending its replies.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("hotro_errors", "Errors by where they happened.", ["where"], registry=self.registry)
        self.sent = Counter(
            "hotro_messages_sent",
            "Outgoing messages by channel and outcome.",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "hotro_outbox_depth", "Messages waiting in the outbox (queued, sending, held).", registry=self.registry
        )

        self.database_up = Gauge(
            "hotro_database_up", "1 when the last scrape reached the database, else 0.", registry=self.registry
        )

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)
