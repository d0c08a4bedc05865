"""public posting of decisions, complaints (phản ánh, kiến nghị), the monitor's level

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0009"
down_revision = "0008"  # was "0007" (the brief); 0008 (the web console) landed on main first
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("officials", sa.Column("area_level", sa.String(length=16), nullable=True))
    op.create_table(
        "decision_postings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=64), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=96), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_postings")),
        sa.UniqueConstraint("commune_code", "decision_number", name=op.f("uq_decision_postings_commune_code")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("chat_id", sa.String(length=64), nullable=True),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("citizen_replies", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ack_due", sa.Date(), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=96), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=96), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_complaints_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("code", name=op.f("uq_complaints_code")),
    )
    op.create_index(op.f("ix_complaints_application_id"), "complaints", ["application_id"])
    op.create_index("ix_complaints_commune", "complaints", ["commune_code", "status", "created_at"])
    op.create_index("ix_complaints_district", "complaints", ["district_code", "status", "created_at"])
    op.create_index("ix_complaints_province", "complaints", ["province_code", "status", "created_at"])
    op.create_index("ix_complaints_chat", "complaints", ["channel", "chat_id"])
    op.create_table(
        "complaint_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("complaint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=96), nullable=False),
        sa.Column("body_enc", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_complaint_messages_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_messages")),
    )
    op.create_index(op.f("ix_complaint_messages_complaint_id"), "complaint_messages", ["complaint_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_complaint_messages_complaint_id"), table_name="complaint_messages")
    op.drop_table("complaint_messages")
    for name in ("ix_complaints_chat", "ix_complaints_province", "ix_complaints_district", "ix_complaints_commune"):
        op.drop_index(name, table_name="complaints")
    op.drop_index(op.f("ix_complaints_application_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_table("decision_postings")
    with op.batch_alter_table("officials") as batch_op:
        batch_op.drop_column("area_level")
