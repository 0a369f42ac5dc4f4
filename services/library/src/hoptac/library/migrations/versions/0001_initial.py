"""Documents with their file, their history, and the outbox of their events.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE documents (
            id UUID PRIMARY KEY,
            version INTEGER NOT NULL,
            number_key TEXT NOT NULL UNIQUE,
            record JSONB NOT NULL,
            file_content BYTEA,
            file_sha256 TEXT UNIQUE,
            text TEXT NOT NULL DEFAULT ''
        )
        """
    )
    op.execute(
        """
        CREATE TABLE document_history (
            id BIGSERIAL PRIMARY KEY,
            document_id UUID NOT NULL REFERENCES documents (id),
            version INTEGER NOT NULL,
            event_type TEXT NOT NULL,
            actor TEXT NOT NULL,
            recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
            changed_fields JSONB NOT NULL,
            reason TEXT,
            UNIQUE (document_id, version)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE outbox (
            id BIGSERIAL PRIMARY KEY,
            event_id UUID NOT NULL UNIQUE,
            subject TEXT NOT NULL,
            body JSONB NOT NULL,
            recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
            published_at TIMESTAMP WITH TIME ZONE,
            held_reason TEXT
        )
        """
    )
    op.execute(
        "CREATE INDEX outbox_unpublished ON outbox (id) "
        "WHERE published_at IS NULL AND held_reason IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE outbox")
    op.execute("DROP TABLE document_history")
    op.execute("DROP TABLE documents")
