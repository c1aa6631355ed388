"""draw_scores; investment calls (登门招商) as visits with no zone firm

``draw_scores`` holds each drawn officer's score at the month's meeting (0 to the scale in
force then) with the reviewer's comment; one row per officer and draw.

``visits`` gains the kind ``investment_call``: a door-to-door call on a prospect outside the
zone. Such a visit has no ``enterprise_id`` (nullable now, but only for that kind), a
free-text ``prospect_name`` (required) and ``prospect_city``, and optionally the
``shortlist_id`` of the prospect's shortlist. The CHECKs keep both shapes apart.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_KINDS_NEW = "kind IN ('visit', 'reception', 'investment_call')"
_KINDS_OLD = "kind IN ('visit', 'reception')"


def upgrade() -> None:
    op.create_table(
        "draw_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=1), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("scored_by", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("scale >= 1", name=op.f("ck_draw_scores_scale_positive")),
        sa.CheckConstraint(
            "score >= 0 AND score <= scale", name=op.f("ck_draw_scores_score_in_scale")
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["draws.id"],
            name=op.f("fk_draw_scores_draw_id_draws"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_draw_scores_officer_id_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_scores")),
        sa.UniqueConstraint(
            "draw_id", "officer_id", name=op.f("uq_draw_scores_draw_id_officer_id")
        ),
    )
    op.create_index(op.f("ix_draw_scores_draw_id"), "draw_scores", ["draw_id"], unique=False)
    op.create_index(op.f("ix_draw_scores_officer_id"), "draw_scores", ["officer_id"], unique=False)

    op.add_column("visits", sa.Column("prospect_name", sa.Text(), nullable=True))
    op.add_column("visits", sa.Column("prospect_city", sa.Text(), nullable=True))
    op.add_column("visits", sa.Column("shortlist_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_visits_shortlist_id_shortlists"),
        "visits",
        "shortlists",
        ["shortlist_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_visits_shortlist_id"), "visits", ["shortlist_id"], unique=False)
    op.alter_column("visits", "enterprise_id", existing_type=sa.Integer(), nullable=True)
    op.drop_constraint(op.f("ck_visits_kind_known"), "visits", type_="check")
    op.create_check_constraint(op.f("ck_visits_kind_known"), "visits", _KINDS_NEW)
    op.create_check_constraint(
        op.f("ck_visits_firm_or_prospect"),
        "visits",
        "(kind = 'investment_call') = (enterprise_id IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_visits_prospect_on_calls_only"),
        "visits",
        "kind = 'investment_call' OR "
        "(prospect_name IS NULL AND prospect_city IS NULL AND shortlist_id IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_visits_call_names_prospect"),
        "visits",
        "kind <> 'investment_call' OR "
        "(prospect_name IS NOT NULL AND length(btrim(prospect_name)) > 0)",
    )


def downgrade() -> None:
    # Investment calls have no place in the older schema (no firm): they go.
    op.execute("DELETE FROM visits WHERE kind = 'investment_call'")
    op.drop_constraint(op.f("ck_visits_call_names_prospect"), "visits", type_="check")
    op.drop_constraint(op.f("ck_visits_prospect_on_calls_only"), "visits", type_="check")
    op.drop_constraint(op.f("ck_visits_firm_or_prospect"), "visits", type_="check")
    op.drop_constraint(op.f("ck_visits_kind_known"), "visits", type_="check")
    op.create_check_constraint(op.f("ck_visits_kind_known"), "visits", _KINDS_OLD)
    op.alter_column("visits", "enterprise_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f("ix_visits_shortlist_id"), table_name="visits")
    op.drop_constraint(op.f("fk_visits_shortlist_id_shortlists"), "visits", type_="foreignkey")
    op.drop_column("visits", "shortlist_id")
    op.drop_column("visits", "prospect_city")
    op.drop_column("visits", "prospect_name")
    op.drop_index(op.f("ix_draw_scores_officer_id"), table_name="draw_scores")
    op.drop_index(op.f("ix_draw_scores_draw_id"), table_name="draw_scores")
    op.drop_table("draw_scores")
