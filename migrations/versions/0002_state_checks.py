"""CHECK constraints on delivery states

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 04:30:00

The values are written out, not imported from bot.core.states: a migration records the schema as
it was at this revision, whatever the enums become later.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKIN_STATES = ("scheduled", "claimed", "sending", "sent", "paused", "retry", "released", "unreachable",
                  "failed", "lost", "expired")
DIGEST_STATES = ("claimed", "sending", "sent", "retry", "gone", "failed", "expired")


def _in(states: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def upgrade() -> None:
    # Batch mode: SQLite cannot add a constraint to an existing table, so the table is copied.
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.create_check_constraint(op.f("ck_checkin_deliveries_status"), _in(CHECKIN_STATES))
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.create_check_constraint(op.f("ck_digest_deliveries_status"), _in(DIGEST_STATES))


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.drop_constraint(op.f("ck_digest_deliveries_status"), type_="check")
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.drop_constraint(op.f("ck_checkin_deliveries_status"), type_="check")
