"""The articles and annexes of each document's text, split from the text already held.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

from hoptac.library.adapters.repository import article_rows
from hoptac.library.adapters.tables import articles
from hoptac.library.domain.articles import split

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE articles (
            document_id UUID NOT NULL REFERENCES documents (id),
            position INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('article', 'annex')),
            number TEXT NOT NULL,
            anchor TEXT NOT NULL,
            label TEXT NOT NULL,
            heading TEXT NOT NULL,
            part TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (document_id, position),
            UNIQUE (document_id, anchor)
        )
        """
    )
    connection = op.get_bind()
    for document_id, text in connection.execute(sa.text("SELECT id, text FROM documents")):
        rows = article_rows(document_id, split(text))
        if rows:
            connection.execute(sa.insert(articles), rows)


def downgrade() -> None:
    op.execute("DROP TABLE articles")
