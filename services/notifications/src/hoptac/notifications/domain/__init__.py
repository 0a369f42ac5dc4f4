"""Plain rules of notifications: filters, signatures, retry schedule, targets, e-mail text."""
