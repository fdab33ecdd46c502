"""Benchmarks, one module per `facekiosk bench …` subcommand (registered in cli/bench_*.py).

May import engine, vault, kiosk, pipeline and settings; only `gui` (and its `stall_probe`)
imports Qt/ui. Nothing outside bench/ and cli/ imports this package: helpers that runtime
code needs live in their runtime package (engine.dataset, engine.operating_points).
Empty on purpose, so importing one benchmark loads nothing of the others.
"""
