"""folded names: the search by name finds "nguyen van an" and "ĐÀO" as typed on any keyboard

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.crypto import fold_name

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NAME_TRGM = "ix_applications_name_trgm"  # 0008's trigram index on lower(full_name), replaced
NAME_KEY_TRGM = "ix_applications_name_key_trgm"
BATCH = 1000


def upgrade() -> None:
    # The officials' search compared lower(full_name) with what they typed: a name typed without marks (a
    # computer without a Vietnamese keyboard) found nothing, and SQLite's lower() leaves "Đ" as it is.
    op.add_column("applications", sa.Column("name_key", sa.String(length=128), nullable=False, server_default=""))
    applications = sa.table("applications", sa.column("id", sa.Integer), sa.column("full_name"), sa.column("name_key"))
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(applications.c.id, applications.c.full_name)
            .where(applications.c.id > last)
            .order_by(applications.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        # One executemany a batch: a province's half million rows are not half a million round trips.
        bind.execute(
            applications.update().where(applications.c.id == sa.bindparam("row_id")),
            [{"row_id": row_id, "name_key": fold_name(full_name)} for row_id, full_name in rows],
        )
        last = rows[-1][0]
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {NAME_TRGM}")
        op.execute(f"CREATE INDEX {NAME_KEY_TRGM} ON applications USING gin (name_key gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {NAME_KEY_TRGM}")
        op.execute(f"CREATE INDEX {NAME_TRGM} ON applications USING gin (lower(full_name) gin_trgm_ops)")
    # A plain DROP COLUMN (SQLite 3.35+): a batch would copy the table, which foreign keys refer to.
    op.drop_column("applications", "name_key")
