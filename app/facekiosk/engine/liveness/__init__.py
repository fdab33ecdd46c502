"""Liveness and presentation-attack detection (no Qt): see session.py for the decision."""

from facekiosk.engine.liveness.codes import Action, Guidance, Level, Reason, Status
from facekiosk.engine.liveness.session import LivenessSession, LivenessState

__all__ = ["Action", "Guidance", "Level", "LivenessSession", "LivenessState", "Reason", "Status"]
