"""The notifications service: webhooks, the change feed and staff e-mail."""
