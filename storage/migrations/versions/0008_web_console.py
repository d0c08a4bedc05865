"""the officials' web console: one-time login links, list and search indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# PostgreSQL: the id and the name in the leaf pages (INCLUDE), so the list's id query and a search by a
# common name are index-only scans of the area, newest first; SQLite ignores postgresql_include.
RECENT_INCLUDE = ["id", "full_name"]
RECENT_INDEXES = {
    "ix_applications_commune_recent": ["commune_code", "submitted_at"],
    "ix_applications_district_recent": ["district_code", "submitted_at"],
    "ix_applications_province_recent": ["province_code", "submitted_at"],
    "ix_applications_submitted_at": ["submitted_at"],
    "ix_applications_id_hash": ["id_hash"],
}
# PostgreSQL: a trigram index for the search by (part of) a name. pg_trgm is a "trusted" extension
# (PostgreSQL 13+): the database's owner may create it without being a superuser.
NAME_TRGM = "ix_applications_name_trgm"


def upgrade() -> None:
    op.create_table(
        "login_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("official_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["official_id"], ["officials.id"], name=op.f("fk_login_tokens_official_id_officials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_tokens_token_hash")),
    )
    op.create_index(op.f("ix_login_tokens_official_id"), "login_tokens", ["official_id"])
    for name, columns in RECENT_INDEXES.items():
        include = RECENT_INCLUDE if name != "ix_applications_id_hash" else []
        op.create_index(name, "applications", columns, postgresql_include=include)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {NAME_TRGM} ON applications USING gin (lower(full_name) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {NAME_TRGM}")
    for name in RECENT_INDEXES:
        op.drop_index(name, "applications")
    op.drop_index(op.f("ix_login_tokens_official_id"), "login_tokens")
    op.drop_table("login_tokens")
