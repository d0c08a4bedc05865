"""status notes sealed: the citizen's answers and the officials' notes, encrypted at rest

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A citizen asked for a document or an account number answers in free text, which the audit trail kept
    # in clear (`note`). New notes go to `note_enc`, encrypted with the data key; the notes already stored are
    # sealed by the first start that holds the key (storage.data_keys.seal_notes), which a migration cannot do.
    with op.batch_alter_table("status_events") as batch:
        batch.add_column(sa.Column("note_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_events") as batch:
        batch.drop_column("note_enc")
