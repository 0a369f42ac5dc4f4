"""Tokens expire: every token gets an expiry when it is made; those made before get a year.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE")
    op.execute("UPDATE api_tokens SET expires_at = now() + interval '365 days'")
    op.execute("ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE api_tokens DROP COLUMN expires_at")
