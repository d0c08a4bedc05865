"""the data key's id, failed look-ups per application code, encrypted phone and birth date

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before are encrypted (and their clear columns masked) on the first start, with the key.
    op.add_column("applications", sa.Column("phone_enc", sa.Text(), nullable=True))
    op.add_column("applications", sa.Column("birth_date_enc", sa.Text(), nullable=True))
    op.create_table(
        "data_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rotated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
    )
    op.create_table(
        "lookup_code_attempts",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_lookup_code_attempts")),
    )


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch_op:
        batch_op.drop_column("birth_date_enc")
        batch_op.drop_column("phone_enc")
    op.drop_table("lookup_code_attempts")
    op.drop_table("data_keys")
