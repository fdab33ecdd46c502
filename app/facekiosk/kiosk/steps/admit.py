"""Admit step: a person identified (face, PIN) is let through — re-consent when the text
changed, then attendance (check-in/out, debounce) or access (anti-passback, output hook).
A person matched in a legacy model space gets their primary-space template here, once the
attempt is admitted (issue 18: no re-enrolment needed after the engine changes)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from facekiosk.kiosk.access_hook import GrantEvent, HookError, OutputHook, passback_violation
from facekiosk.kiosk.attendance import CHECK_IN, CHECK_OUT, next_attendance
from facekiosk.kiosk.codes import ErrorCode, Purpose, ResultKind
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.restrictions import ACCESS_FILE, AccessPolicy
from facekiosk.kiosk.steps.consent import ConsentStep
from facekiosk.kiosk.transitions import Event
from facekiosk.vault import VaultError

log = logging.getLogger(__name__)


class AccessPolicySource:
    """An injected policy is used as is; otherwise access.toml in the data dir, re-read
    when its mtime changes (the admin edits it while the kiosk runs)."""

    def __init__(self, policy: AccessPolicy | None, data_dir: Path | None) -> None:
        self.file = None if policy is not None or data_dir is None else data_dir / ACCESS_FILE
        self.policy = policy if policy is not None else AccessPolicy()
        self._stamp: int | None = None

    def current(self) -> AccessPolicy:
        if self.file is not None:
            try:
                stamp: int | None = self.file.stat().st_mtime_ns
            except FileNotFoundError:
                stamp = None
            if stamp != self._stamp:
                self.policy = AccessPolicy.load(self.file.parent)
                self._stamp = stamp
        return self.policy


class AdmitStep:
    def __init__(
        self,
        core: FlowCore,
        outcome: OutcomeRecorder,
        consent: ConsentStep,
        hook: OutputHook,
    ) -> None:
        self.core = core
        self.outcome = outcome
        self.consent = consent
        self.hook = hook

    def reconsent(self, accepted: bool, now: float) -> None:
        """The answer of someone identified at sign-in to a changed consent text."""
        a = self.core.attempt
        assert a.candidate is not None
        if not accepted:
            self.outcome.deny(ErrorCode.TERMS_NOT_ACCEPTED, a.candidate[0], now, failure=False)
            return
        a.consent_at = self.core.wall()
        self.core.vault.record_consent(a.candidate[0], self.consent.text.version, a.consent_at)
        self.authenticated(now, consent_checked=True)

    def authenticated(self, now: float, *, consent_checked: bool = False) -> None:
        core, out = self.core, self.outcome
        a = core.attempt
        assert a.candidate is not None
        index_id, similarity = a.candidate
        if a.purpose == Purpose.FORGET:
            core.go(Event.CONFIRM_FORGET, now)
            return
        k = core.settings.kiosk
        if k.reconsent and not consent_checked and not self.consent.is_current(index_id):
            core.go(Event.NEED_CONSENT, now)  # the text changed since they agreed
            return
        core.vault.touch(index_id)
        wall = core.wall()
        if k.mode == "attendance":
            last = out.log.last_pass(index_id, "attendance", wall)
            kind = next_attendance(last, wall, timedelta(minutes=k.debounce_minutes))
            if kind != ResultKind.ALREADY_RECORDED:
                decision = CHECK_IN if kind == ResultKind.CHECK_IN else CHECK_OUT
                out.record("attendance", decision, index_id, "ok", similarity)
            self._upgrade(index_id)
            out.succeed(kind, now, index_id=None, similarity=similarity)
            return
        if k.anti_passback and passback_violation(
            out.log.last_pass(index_id, "access", wall), k.direction
        ):
            out.deny(ErrorCode.ANTI_PASSBACK, index_id, now, failure=False, kind="access")
            return
        try:
            self.hook.grant(GrantEvent(index_id, k.kiosk_id, k.direction, wall))
        except HookError as exc:
            log.error("access hook failed: %s", exc)
            out.deny(ErrorCode.HOOK_FAILED, index_id, now, failure=False, kind="access")
            return
        out.record("access", f"grant_{k.direction}", index_id, "ok", similarity)
        self._upgrade(index_id)
        out.succeed(ResultKind.GRANTED, now, index_id=None, similarity=similarity)

    def _upgrade(self, index_id: str) -> None:
        """Replace a legacy-space template with the admitted attempt's primary embeddings
        (label, payload, PIN, consent and events stay: same Index ID). A failure never
        refuses the person: the old template stays and the next sign-in tries again."""
        a = self.core.attempt
        frames, a.upgrade = a.upgrade, []
        if not frames:
            return
        try:
            self.core.vault.replace_template(index_id, frames, actor="upgrade")
        except (VaultError, ValueError) as exc:
            log.error("template upgrade failed, the old template stays: %s", exc)
