"""Forget-me step: the confirmed purge of the identified person's Index ID."""

from __future__ import annotations

from pathlib import Path

from facekiosk.kiosk.codes import ErrorCode, ResultKind
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.lockout import IdLockouts
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.receipt import purge_receipt
from facekiosk.kiosk.restrictions import forget_in_policy
from facekiosk.kiosk.steps.admit import AccessPolicySource
from facekiosk.vault import UnknownIndexId


class ForgetStep:
    def __init__(
        self,
        core: FlowCore,
        outcome: OutcomeRecorder,
        policy: AccessPolicySource,
        id_locks: IdLockouts,
        data_dir: Path | None,
    ) -> None:
        self.core = core
        self.outcome = outcome
        self.policy = policy
        self.id_locks = id_locks
        self.data_dir = data_dir

    def purge(self, now: float) -> None:
        core, out = self.core, self.outcome
        assert core.attempt.candidate is not None
        index_id = core.attempt.candidate[0]
        try:
            receipt = core.vault.delete(
                [index_id],
                reason="self-service forget-me",
                actor=f"self@{core.settings.kiosk.kiosk_id}",
            )
        except UnknownIndexId:  # the admin deleted it while the person was confirming
            out.deny(ErrorCode.UNRECOGNIZED_FACE, None, now, failure=False, reason="deleted")
            return
        self.id_locks.clear(index_id)
        self.policy.policy.forget([index_id])
        if self.data_dir is not None:
            forget_in_policy(self.data_dir, [index_id])
        code = purge_receipt(index_id, receipt.audit_seq)
        out.emit("forget", "purged", index_id=None, extra={"audit_seq": receipt.audit_seq})
        out.succeed(
            ResultKind.FORGOTTEN,
            now,
            index_id=None,
            receipt_code=code,
            detail=f"audit #{receipt.audit_seq}",
        )
