"""Kiosk pages: each one a view of a `SessionView` state (or a local page like privacy)."""
