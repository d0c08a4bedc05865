"""registration on someone's behalf: who assisted, consent given in person, when the citizen linked their chat

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch_op:
        batch_op.add_column(sa.Column("assisted_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consent_in_person", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("linked_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_applications_assisted_by_officials"), "officials", ["assisted_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch_op:
        batch_op.drop_constraint(op.f("fk_applications_assisted_by_officials"), type_="foreignkey")
        batch_op.drop_column("linked_at")
        batch_op.drop_column("consent_in_person")
        batch_op.drop_column("assisted_by")
