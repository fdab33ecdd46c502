"""One handler per step of the kiosk flows; `KioskSession` (kiosk/session.py) wires them.

scan (quality, tracking, mask/age gate) -> liveness -> match (sign-in, forget-me) or
enrol (template frames, duplicate check, the vault write) -> pin -> admit (re-consent,
attendance, access) or forget (the purge); timeouts. How an attempt ends is
kiosk/outcome.py; the shared state and attempt are kiosk/core.py.
"""
