"""People's accounts next to the API tokens: password hashes (argon2id), sessions, and the
failed sign-ins counted per account and per address.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"

SCHEMA = """
CREATE TABLE accounts (
    id UUID NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    provinces TEXT[] DEFAULT '{}' NOT NULL,
    communes TEXT[] DEFAULT '{}' NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    created_by TEXT NOT NULL,
    password_changed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    disabled_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id),
    UNIQUE (username)
);

CREATE TABLE sessions (
    id UUID NOT NULL,
    token_hash TEXT NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts (id),
    address TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id),
    UNIQUE (token_hash)
);

CREATE INDEX sessions_account ON sessions (account_id) WHERE ended_at IS NULL;

CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (key)
);

CREATE INDEX sign_in_failures_age ON sign_in_failures (last_failed_at);
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE sign_in_failures")
    op.execute("DROP TABLE sessions")
    op.execute("DROP TABLE accounts")
