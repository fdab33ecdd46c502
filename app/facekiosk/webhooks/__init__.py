"""Signed webhooks from the vault's durable outbox (enroll, auth, delete events)."""
