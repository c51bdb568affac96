"""Delivery of digests and notifications: SMTP e-mail, and webhooks (Slack-compatible or
generic JSON)."""
