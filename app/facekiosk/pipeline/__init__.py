"""The frame pipeline without Qt: frame sources, the capture thread and its one-slot
mailbox, and the per-frame step (one engine call, then the session). The UI only paints
what comes out of it; the CLI and the benches drive it directly."""
