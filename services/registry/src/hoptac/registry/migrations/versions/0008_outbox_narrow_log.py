"""The relay writes narrow rows beside the outbox instead of rewriting its wide ones.

Numbering a row used to update it (sequence), and publishing it updated it again
(published_at): two new versions of a 1-2 KB row per event, with their WAL and index entries.
Now a trigger lists every inserted outbox id in `outbox_unnumbered`; the relay moves ids from
there into `outbox_sequence` (sequence -> outbox id), records each published batch as one row of
`outbox_publications` (every event up to `through_sequence` is settled) and keeps the events
JetStream refused in `outbox_held`. The outbox rows are written once, by the registry.

Existing data is carried over: sequences are kept, published rows stay published (their batches
become rows of `outbox_publications`), held and dead-lettered rows stay so, and a row an operator
gave back to the relay (`retry`) is still waiting to be published.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"

UPGRADE = (
    # Indexes and tables share one namespace: the old index makes way for the new table.
    """
    DROP INDEX outbox_held
    """,
    """
    CREATE TABLE outbox_unnumbered (id BIGINT PRIMARY KEY)
    """,
    """
    CREATE TABLE outbox_sequence (sequence BIGINT PRIMARY KEY, outbox_id BIGINT NOT NULL)
    """,
    """
    CREATE TABLE outbox_publications (
        through_sequence BIGINT PRIMARY KEY,
        published_at TIMESTAMP WITH TIME ZONE NOT NULL
    )
    """,
    """
    CREATE TABLE outbox_held (
        sequence BIGINT PRIMARY KEY,
        held_at TIMESTAMP WITH TIME ZONE,
        held_reason TEXT,
        dead_lettered_at TIMESTAMP WITH TIME ZONE
    )
    """,
    """
    CREATE FUNCTION outbox_list_unnumbered() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO outbox_unnumbered (id) SELECT id FROM inserted;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER outbox_unnumbered AFTER INSERT ON outbox
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_list_unnumbered()
    """,
    """
    INSERT INTO outbox_unnumbered (id) SELECT id FROM outbox WHERE sequence IS NULL
    """,
    """
    INSERT INTO outbox_sequence (sequence, outbox_id)
        SELECT sequence, id FROM outbox WHERE sequence IS NOT NULL
    """,
    # Each moment rows were marked published is a batch; it settled every row up to the highest
    # sequence published by then.
    """
    INSERT INTO outbox_publications (through_sequence, published_at)
        SELECT through, min(published_at) FROM (
            SELECT published_at, max(max(sequence)) OVER (ORDER BY published_at) AS through
            FROM outbox WHERE published_at IS NOT NULL GROUP BY published_at
        ) AS batches
        GROUP BY through
    """,
    # A held row beyond the last published one was settled too.
    """
    INSERT INTO outbox_publications (through_sequence, published_at)
        SELECT max(sequence), now() FROM outbox
        WHERE held_at IS NOT NULL AND published_at IS NULL
        HAVING max(sequence) > (SELECT coalesce(max(through_sequence), 0) FROM outbox_publications)
    """,
    """
    INSERT INTO outbox_held (sequence, held_at, held_reason, dead_lettered_at)
        SELECT sequence, held_at, held_reason, dead_lettered_at FROM outbox
        WHERE held_at IS NOT NULL AND published_at IS NULL
    """,
    # Rows behind the mark not yet published were given back by an operator: waiting again.
    """
    INSERT INTO outbox_held (sequence)
        SELECT sequence FROM outbox
        WHERE sequence <= (SELECT coalesce(max(through_sequence), 0) FROM outbox_publications)
          AND published_at IS NULL AND held_at IS NULL
    """,
    """
    DROP INDEX outbox_unpublished
    """,
    """
    DROP INDEX outbox_unsequenced
    """,
    """
    ALTER TABLE outbox
        DROP COLUMN sequence,
        DROP COLUMN published_at,
        DROP COLUMN held_at,
        DROP COLUMN held_reason,
        DROP COLUMN dead_lettered_at
    """,
)

DOWNGRADE = (
    """
    ALTER TABLE outbox
        ADD COLUMN sequence BIGINT UNIQUE,
        ADD COLUMN published_at TIMESTAMP WITH TIME ZONE,
        ADD COLUMN held_at TIMESTAMP WITH TIME ZONE,
        ADD COLUMN held_reason TEXT,
        ADD COLUMN dead_lettered_at TIMESTAMP WITH TIME ZONE
    """,
    """
    UPDATE outbox SET sequence = numbered.sequence
        FROM outbox_sequence AS numbered WHERE numbered.outbox_id = outbox.id
    """,
    # A row is published when its batch (the first to reach it: one probe of the key) settled
    # it and it was not held (or is waiting again).
    """
    UPDATE outbox SET published_at = (
            SELECT published_at FROM outbox_publications
            WHERE through_sequence >= outbox.sequence
            ORDER BY through_sequence LIMIT 1
        )
        WHERE sequence <= (SELECT coalesce(max(through_sequence), 0) FROM outbox_publications)
          AND sequence NOT IN (SELECT sequence FROM outbox_held)
    """,
    """
    UPDATE outbox SET held_at = held.held_at, held_reason = held.held_reason,
            dead_lettered_at = held.dead_lettered_at
        FROM outbox_held AS held WHERE held.sequence = outbox.sequence
    """,
    """
    DROP TRIGGER outbox_unnumbered ON outbox
    """,
    """
    DROP FUNCTION outbox_list_unnumbered()
    """,
    """
    DROP TABLE outbox_held, outbox_publications, outbox_sequence, outbox_unnumbered
    """,
    """
    CREATE INDEX outbox_unpublished ON outbox (sequence)
        WHERE sequence IS NOT NULL AND published_at IS NULL
    """,
    """
    CREATE INDEX outbox_unsequenced ON outbox (id) WHERE sequence IS NULL
    """,
    """
    CREATE INDEX outbox_held ON outbox (sequence) WHERE held_at IS NOT NULL
    """,
)


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
