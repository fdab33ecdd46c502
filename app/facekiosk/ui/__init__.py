"""The kiosk's PySide6 GUI: capture + inference threads, kiosk pages, admin panel.

Only this package imports Qt. It owns threads and widgets; the business rules
live in `facekiosk.kiosk`.
"""
