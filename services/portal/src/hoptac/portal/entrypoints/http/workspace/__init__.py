"""The staff workspace under /quan-ly: people sign in and keep the register true. Every change
goes to the registry with the person's session, so the registry decides and records who did it."""
