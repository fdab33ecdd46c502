"""Liveness and presentation-attack detection (no Qt): see session.py for the decision."""

from facekiosk.engine.liveness.codes import Action, Level, Reason, Status
from facekiosk.engine.liveness.session import LivenessSession, LivenessState

__all__ = ["Action", "Level", "LivenessSession", "LivenessState", "Reason", "Status"]
