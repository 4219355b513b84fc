"""spaced recall: items, answers, the setting, and the question a check-in carries

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = bot.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recall_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("topic_id", sa.String(length=60), nullable=False),
        sa.Column("skill_id", sa.String(length=40), nullable=False),
        sa.Column("due_at", UTC_DT, nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("right_count", sa.Integer(), nullable=False),
        sa.Column("wrong_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("answered_at", UTC_DT, nullable=True),
        sa.CheckConstraint("interval_days > 0", name=op.f("ck_recall_items_interval_positive")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recall_items_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_items")),
        sa.UniqueConstraint("user_id", "question_id", name=op.f("uq_recall_items_user_id")),
    )
    op.create_index("ix_recall_items_user_due", "recall_items", ["user_id", "retired", "due_at"], unique=False)
    op.create_table(
        "recall_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=False),
        sa.Column("right", sa.Boolean(), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recall_answers_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_answers")),
        sa.UniqueConstraint("user_id", "source", name=op.f("uq_recall_answers_user_id")),
    )
    op.create_table(
        "recall_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("in_checkins", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recall_settings_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_recall_settings")),
    )
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.add_column(sa.Column("recall_question", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkin_deliveries") as batch:
        batch.drop_column("recall_question")
    op.drop_table("recall_settings")
    op.drop_table("recall_answers")
    op.drop_index("ix_recall_items_user_due", table_name="recall_items")
    op.drop_table("recall_items")
