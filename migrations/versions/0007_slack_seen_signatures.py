"""Seen Slack request signatures, shared by every replica (replay guard)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_seen_signatures",
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_slack_seen_signatures")),
    )
    with op.batch_alter_table("slack_seen_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_seen_signatures_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_seen_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_seen_signatures_seen_at"))
    op.drop_table("slack_seen_signatures")
