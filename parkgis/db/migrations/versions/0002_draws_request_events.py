"""monthly draws of reporting officers; service request history

Adds ``draws`` (one row per month: the seed, who was eligible, who was drawn the month
before and who was drawn now, so anyone can recompute the pick) and
``service_request_events`` (every status change or hand-over to another department,
with its timestamp and actor).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Text(), nullable=False),
        sa.Column("officer_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("eligible_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column(
            "previous_ids", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name=op.f("ck_draws_month_form")
        ),
        sa.CheckConstraint("count >= 1", name=op.f("ck_draws_count_positive")),
        sa.CheckConstraint(
            "cardinality(officer_ids) = count", name=op.f("ck_draws_officers_counted")
        ),
        sa.CheckConstraint("length(seed) > 0", name=op.f("ck_draws_seed_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
        sa.UniqueConstraint("month", name=op.f("uq_draws_month")),
    )
    op.create_table(
        "service_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "to_status IN ('open', 'in_progress', 'resolved', 'closed')",
            name=op.f("ck_service_request_events_to_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_service_request_events_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request_events")),
    )
    op.create_index(
        op.f("ix_service_request_events_request_id"),
        "service_request_events",
        ["request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_service_request_events_request_id"), table_name="service_request_events")
    op.drop_table("service_request_events")
    op.drop_table("draws")
