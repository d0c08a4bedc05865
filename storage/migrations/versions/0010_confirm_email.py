"""payment confirmations, a name + birth date blind index, officials' e-mail addresses

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The citizen's answer to "have you received it?": asked once per payment (the claim), answered once.
    with op.batch_alter_table("payments") as batch_op:
        batch_op.add_column(sa.Column("confirm_asked_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("confirmation", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
    op.create_index("ix_payments_confirm_due", "payments", ["confirm_asked_at", "recorded_at"])
    # Keyed hash of the folded name and the ISO birth date (storage.crypto.person_index); rows from before
    # are filled on the first start with the key (bot/datakey.py), like the other blind indexes.
    with op.batch_alter_table("applications") as batch_op:
        batch_op.add_column(sa.Column("person_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_applications_person_hash", "applications", ["person_hash"])  # id_hash's: 0008
    # An official's work e-mail address, encrypted (context "official_email").
    with op.batch_alter_table("officials") as batch_op:
        batch_op.add_column(sa.Column("email_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officials") as batch_op:
        batch_op.drop_column("email_enc")
    op.drop_index("ix_applications_person_hash", table_name="applications")
    with op.batch_alter_table("applications") as batch_op:
        batch_op.drop_column("person_hash")
    op.drop_index("ix_payments_confirm_due", table_name="payments")
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmation")
        batch_op.drop_column("confirm_asked_at")
