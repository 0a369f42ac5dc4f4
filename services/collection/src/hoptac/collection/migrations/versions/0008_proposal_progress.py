"""Submitting proposals and marking an approval write a narrow row beside each proposal instead
of rewriting it.

A proposal's state changed three times in a row of its own: submitted, applying, then its
outcome; each a new version of the wide row (its change is a few hundred bytes to kilobytes of
JSON) with an entry in every index, since the state is indexed. Now `proposal_progress` holds a
proposal's latest step (`submitted`, `applying`, with who and when) until the proposal is
returned or its outcome recorded, which writes the proposal once and deletes the step. Readers
see the step's columns over the proposal's.

No foreign key to `proposals`: checking it would lock each proposal row again on every insert,
the write this table saves; a step is written only for a proposal read just before.

Existing data is carried over: a proposal `applying` keeps being so (its step holds the
approver), and a downgrade writes every step back into its proposal.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"

UPGRADE = (
    """
    CREATE TABLE proposal_progress (
        proposal_id UUID PRIMARY KEY,
        state TEXT NOT NULL,
        submitted_by TEXT,
        submitted_at TIMESTAMP WITH TIME ZONE,
        reviewed_by TEXT,
        reviewed_at TIMESTAMP WITH TIME ZONE
    )
    """,
    """
    INSERT INTO proposal_progress (proposal_id, state, reviewed_by, reviewed_at)
        SELECT id, state, reviewed_by, reviewed_at FROM proposals WHERE state = 'applying'
    """,
    # Under its step, a proposal being applied is one submitted (an approval takes only those).
    """
    UPDATE proposals SET state = 'submitted' WHERE state = 'applying'
    """,
)

DOWNGRADE = (
    """
    UPDATE proposals SET state = step.state,
            submitted_by = coalesce(step.submitted_by, proposals.submitted_by),
            submitted_at = coalesce(step.submitted_at, proposals.submitted_at),
            reviewed_by = coalesce(step.reviewed_by, proposals.reviewed_by),
            reviewed_at = coalesce(step.reviewed_at, proposals.reviewed_at)
        FROM proposal_progress AS step WHERE step.proposal_id = proposals.id
    """,
    """
    DROP TABLE proposal_progress
    """,
)


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
