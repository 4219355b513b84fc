"""Digest claims get a lease: `leased_at`, set on every claim and take-over (`claimed_at` stays the first claim)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00

Existing rows start their lease at their first claim, so a digest a process left "claimed" before
this revision can be taken over (or expired) like any other.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.add_column(sa.Column("leased_at", UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE digest_deliveries SET leased_at = claimed_at")


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.drop_column("leased_at")
