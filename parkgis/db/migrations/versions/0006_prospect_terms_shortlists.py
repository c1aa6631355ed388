"""prospect: 标准地 terms on parcels, public-anchor firms, shortlists and their opens

Adds to ``parcels`` the terms land is offered on (investment intensity and committed
yearly tax per mu in 10,000 CNY, and the lower end of the plot ratio range; the upper end
is ``max_far``), to ``enterprises`` the ``public_anchor`` flag (firms public maps may
name), and the tables ``shortlists`` (a confidential link for one prospect, token stored
hashed) and ``shortlist_opens`` (each open of such a link).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcels", sa.Column("investment_wan_cny_mu", sa.Float(), nullable=True))
    op.add_column("parcels", sa.Column("tax_wan_cny_mu", sa.Float(), nullable=True))
    op.add_column("parcels", sa.Column("min_far", sa.Float(), nullable=True))
    op.create_check_constraint(
        op.f("ck_parcels_terms_nonneg"),
        "parcels",
        "(investment_wan_cny_mu IS NULL OR investment_wan_cny_mu >= 0) "
        "AND (tax_wan_cny_mu IS NULL OR tax_wan_cny_mu >= 0)",
    )
    op.create_check_constraint(
        op.f("ck_parcels_min_far_range"),
        "parcels",
        "min_far IS NULL OR (min_far > 0 AND (max_far IS NULL OR min_far <= max_far))",
    )
    op.add_column(
        "enterprises",
        sa.Column("public_anchor", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_table(
        "shortlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prospect", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), server_default="zh", nullable=False),
        sa.Column("sites", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("lang IN ('zh', 'en')", name=op.f("ck_shortlists_lang_known")),
        sa.CheckConstraint(
            "token_hash ~ '^[0-9a-f]{64}$'", name=op.f("ck_shortlists_token_hash_form")
        ),
        sa.CheckConstraint(
            "length(btrim(prospect)) > 0", name=op.f("ck_shortlists_prospect_not_blank")
        ),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_shortlists_expires_after_created")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            ondelete="SET NULL",
            name=op.f("fk_shortlists_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlists")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_shortlists_token_hash")),
    )
    op.create_index(op.f("ix_shortlists_user_id"), "shortlists", ["user_id"])
    op.create_table(
        "shortlist_opens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortlist_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "what IN ('page', 'download', 'pdf', 'sheet')",
            name=op.f("ck_shortlist_opens_what_known"),
        ),
        sa.ForeignKeyConstraint(
            ["shortlist_id"],
            ["shortlists.id"],
            ondelete="CASCADE",
            name=op.f("fk_shortlist_opens_shortlist_id_shortlists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_opens")),
    )
    op.create_index(op.f("ix_shortlist_opens_shortlist_id"), "shortlist_opens", ["shortlist_id"])


def downgrade() -> None:
    op.drop_index("ix_shortlist_opens_shortlist_id", table_name="shortlist_opens")
    op.drop_table("shortlist_opens")
    op.drop_index("ix_shortlists_user_id", table_name="shortlists")
    op.drop_table("shortlists")
    op.drop_column("enterprises", "public_anchor")
    op.drop_constraint(op.f("ck_parcels_min_far_range"), "parcels", type_="check")
    op.drop_constraint(op.f("ck_parcels_terms_nonneg"), "parcels", type_="check")
    op.drop_column("parcels", "min_far")
    op.drop_column("parcels", "tax_wan_cny_mu")
    op.drop_column("parcels", "investment_wan_cny_mu")
