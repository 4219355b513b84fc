"""question log: refused questions, answered topics and 👍/👎 votes, without user ids

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:00:00

The values are written out, not imported from bot.core.states: a migration records the schema as
it was at this revision.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asked_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("skill_id", sa.String(length=40), nullable=True),
        sa.Column("topic_id", sa.String(length=60), nullable=True),
        sa.Column("vote", sa.String(length=4), nullable=True),
        sa.CheckConstraint("outcome IN ('answered', 'refused')", name=op.f("ck_question_log_outcome")),
        sa.CheckConstraint("vote IS NULL OR vote IN ('up', 'down')", name=op.f("ck_question_log_vote")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_log")),
    )
    with op.batch_alter_table("question_log") as batch:
        batch.create_index(batch.f("ix_question_log_asked_at"), ["asked_at"], unique=False)
        batch.create_index("ix_question_log_skill_topic", ["skill_id", "topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.drop_index("ix_question_log_skill_topic")
        batch.drop_index(batch.f("ix_question_log_asked_at"))
    op.drop_table("question_log")
