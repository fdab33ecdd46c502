"""Admin panel: Index IDs, audit log, events, settings, vault keys/backup, model packs."""
