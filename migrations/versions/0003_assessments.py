"""placement assessments and their answers

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00

The state and level values are written out, not imported: a migration records the schema as it
was at this revision, whatever the enums become later.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("started_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bot.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'finished', 'abandoned')", name=op.f("ck_assessments_status")),
        sa.CheckConstraint("level IS NULL OR level IN ('new', 'entry', 'mid', 'senior')",
                           name=op.f("ck_assessments_level")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_assessments_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_user_id"), ["user_id"], unique=False)
        batch_op.create_index("uq_assessments_one_open", ["user_id", "skill_id"], unique=True,
                              sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    op.create_table(
        "assessment_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("topic_id", sa.String(length=80), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_assessment_answers_assessment_id_assessments"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answers")),
        sa.UniqueConstraint("assessment_id", "position", name=op.f("uq_assessment_answers_assessment_id")),
        sa.UniqueConstraint("assessment_id", "question_id", name="uq_assessment_answers_question"),
    )


def downgrade() -> None:
    op.drop_table("assessment_answers")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("uq_assessments_one_open", sqlite_where=sa.text("status = 'open'"),
                            postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f("ix_assessments_user_id"))
    op.drop_table("assessments")
