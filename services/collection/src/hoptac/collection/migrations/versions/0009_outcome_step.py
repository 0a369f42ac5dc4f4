"""An approval's outcome is written as the proposal's step of the review instead of into the
proposal's own row.

Recording an outcome rewrote each wide proposal (its change is a few hundred bytes to kilobytes
of JSON, with an entry in three indexes) and deleted its step: about half of collection's
PostgreSQL time in an approval. Now the step already written when the approval was marked
`applying` takes the outcome (state, reviewer, `outcome`); the proposal's row is left as it
was. A step with an outcome is folded into its proposal when the proposal is returned or
rebased, or when an import proposes the same row again (its key must be freed).

The downgrade folds every step holding an outcome into its proposal, as the code before this
revision wrote it.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"

_OPEN = "('draft', 'submitted', 'returned', 'applying')"

DOWNGRADE = (
    """
    UPDATE proposals SET outcome = step.outcome
        FROM proposal_progress AS step
        WHERE step.proposal_id = proposals.id AND step.outcome IS NOT NULL
    """,
    f"""
    UPDATE proposals SET state = step.state,
            submitted_by = coalesce(step.submitted_by, proposals.submitted_by),
            submitted_at = coalesce(step.submitted_at, proposals.submitted_at),
            reviewed_by = coalesce(step.reviewed_by, proposals.reviewed_by),
            reviewed_at = coalesce(step.reviewed_at, proposals.reviewed_at)
        FROM proposal_progress AS step
        WHERE step.proposal_id = proposals.id AND step.state NOT IN {_OPEN}
    """,
    f"""
    DELETE FROM proposal_progress WHERE state NOT IN {_OPEN}
    """,
    """
    ALTER TABLE proposal_progress DROP COLUMN outcome
    """,
)


def upgrade() -> None:
    op.execute("ALTER TABLE proposal_progress ADD COLUMN outcome JSONB")


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
