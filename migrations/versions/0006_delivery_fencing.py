"""Fencing and pacing for deliveries: the `uncertain` state, the pending-claims index, DM channel ids,
and one shared rate-limit row per platform

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 10:00:00

The state lists are written out, not imported from bot.core.states: a migration records the schema
as it was at this revision, whatever the enums become later.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHECKIN = ("scheduled", "claimed", "sending", "sent", "paused", "retry", "released", "unreachable",
               "failed", "lost", "expired")
OLD_DIGEST = ("claimed", "sending", "sent", "retry", "gone", "failed", "expired")


def _in(states: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def _checks(checkin: tuple[str, ...], digest: tuple[str, ...]) -> None:
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.drop_constraint(op.f("ck_checkin_deliveries_status"), type_="check")
        batch.create_check_constraint(op.f("ck_checkin_deliveries_status"), _in(checkin))
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.drop_constraint(op.f("ck_digest_deliveries_status"), type_="check")
        batch.create_check_constraint(op.f("ck_digest_deliveries_status"), _in(digest))


def upgrade() -> None:
    _checks(OLD_CHECKIN + ("uncertain",), OLD_DIGEST + ("uncertain",))
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.create_index("ix_checkin_deliveries_status_due_at", ["status", "due_at"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("dm_channel_id", sa.String(length=64), nullable=True))
    op.create_table(
        "platform_limits",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("platform", name=op.f("pk_platform_limits")),
    )


def downgrade() -> None:
    op.drop_table("platform_limits")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("dm_channel_id")
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.drop_index("ix_checkin_deliveries_status_due_at")
    op.execute("UPDATE checkin_deliveries SET status = 'lost' WHERE status = 'uncertain'")
    op.execute("UPDATE digest_deliveries SET status = 'failed' WHERE status = 'uncertain'")
    _checks(OLD_CHECKIN, OLD_DIGEST)
