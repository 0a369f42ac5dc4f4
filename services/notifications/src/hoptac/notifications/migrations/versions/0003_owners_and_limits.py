"""Subscriptions follow their owner's token; who disabled one; replays counted per agency.

- `owner_token`: the owner's registry token, sealed like the signing secrets, so that the
  worker can ask the registry whether it still holds before sending (a revoked owner's
  subscriptions stop). Subscriptions made earlier have none until their owner lists them.
- `disabled_by`: owner, admin, receiver (410 Gone) or revoked; decides who may resume.
- `replay_requests`: one row per replay asked for, for the per-agency hourly limit.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("ALTER TABLE subscriptions ADD COLUMN owner_token TEXT")
    op.execute(
        "ALTER TABLE subscriptions ADD COLUMN disabled_by TEXT "
        "CHECK (disabled_by IN ('owner', 'admin', 'receiver', 'revoked'))"
    )
    op.execute(
        "UPDATE subscriptions SET disabled_by = CASE "
        "WHEN disabled_reason LIKE '%410 Gone%' THEN 'receiver' ELSE 'owner' END "
        "WHERE NOT enabled"
    )
    op.execute(
        "CREATE TABLE replay_requests ("
        "id BIGSERIAL PRIMARY KEY, owner TEXT NOT NULL, "
        "at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())"
    )
    op.execute("CREATE INDEX replay_requests_owner ON replay_requests (owner, at)")


def downgrade() -> None:
    op.execute("DROP TABLE replay_requests")
    op.execute("ALTER TABLE subscriptions DROP COLUMN disabled_by")
    op.execute("ALTER TABLE subscriptions DROP COLUMN owner_token")
