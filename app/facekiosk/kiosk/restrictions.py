"""Who may pass when: validity, access groups with weekly schedules, the opt-out list.

The policy lives in `access.toml` in the data dir (the admin panel edits it):

    [groups.staff]
    schedule = ["mon-fri 07:00-19:00", "sat 08:00-12:00"]
    members = ["<index id>", ...]

    [groups.night]
    schedule = ["mon-sun 22:00-06:00"]   # an end before the start runs past midnight
    members = [...]

    optout = ["<index id>", ...]          # never recognised automatically here

`kiosk.access_groups` in settings lists the groups a kiosk admits (empty = no
group restriction). Only Index IDs are stored here, never names or biometrics;
a purge removes the Index ID from this file too.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from facekiosk.kiosk.codes import ErrorCode

ACCESS_FILE = "access.toml"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"^\s*(?P<days>[a-z]{3}(?:\s*-\s*[a-z]{3})?(?:\s*,\s*[a-z]{3}(?:\s*-\s*[a-z]{3})?)*)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


class AccessPolicyError(ValueError):
    """access.toml is malformed; the message names the entry."""


@dataclass(frozen=True)
class WeeklyWindow:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time  # end <= start: the window runs past midnight into the next day
    text: str

    @classmethod
    def parse(cls, text: str) -> WeeklyWindow:
        m = _WINDOW.match(text.lower())
        if not m:
            raise AccessPolicyError(f"schedule {text!r}: expected e.g. 'mon-fri 07:00-19:00'")
        days: set[int] = set()
        for part in m["days"].split(","):
            ends = [p.strip() for p in part.split("-")]
            if any(e not in _DAYS for e in ends):
                raise AccessPolicyError(f"schedule {text!r}: days are mon tue wed thu fri sat sun")
            a, b = _DAYS.index(ends[0]), _DAYS.index(ends[-1])
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        return cls(
            frozenset(days), _parse_time(m["start"], text), _parse_time(m["end"], text), text
        )

    def contains(self, when: datetime) -> bool:
        day, now = when.weekday(), when.time().replace(tzinfo=None)
        if self.start < self.end:
            return day in self.days and self.start <= now < self.end
        # overnight: from start on a listed day until end on the following day
        return (day in self.days and now >= self.start) or (
            (day - 1) % 7 in self.days and now < self.end
        )


def _parse_time(value: str, text: str) -> time:
    hours, minutes = (int(v) for v in value.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise AccessPolicyError(f"schedule {text!r}: {value} is not a time of day")
    return time(hours, minutes)


@dataclass
class AccessGroup:
    name: str
    schedule: list[WeeklyWindow] = field(default_factory=list)  # empty = always open
    members: set[str] = field(default_factory=set)

    def is_open(self, when: datetime) -> bool:
        return not self.schedule or any(w.contains(when) for w in self.schedule)


@dataclass
class AccessPolicy:
    groups: dict[str, AccessGroup] = field(default_factory=dict)
    optout: set[str] = field(default_factory=set)

    # -- decisions ---------------------------------------------------------
    def check(
        self,
        index_id: str,
        when: datetime,
        *,
        kiosk_groups: Iterable[str] = (),
        valid_until: datetime | None = None,
    ) -> ErrorCode | None:
        """None when `index_id` may pass at this kiosk now, else the refusal code."""
        if index_id in self.optout:
            return ErrorCode.OPTED_OUT
        if valid_until is not None and _aware(when) >= _aware(valid_until):
            return ErrorCode.EXPIRED
        wanted = list(kiosk_groups)
        if not wanted:
            return None
        mine = [
            self.groups[g]
            for g in wanted
            if g in self.groups and index_id in self.groups[g].members
        ]
        if not mine:
            return ErrorCode.ACCESS_DENIED
        if not any(g.is_open(when) for g in mine):
            return ErrorCode.NOT_IN_SCHEDULE
        return None

    # -- edits ---------------------------------------------------------------
    def add_member(self, group: str, index_id: str) -> None:
        if group not in self.groups:
            raise AccessPolicyError(f"no access group {group!r}")
        self.groups[group].members.add(index_id)

    def forget(self, index_ids: Iterable[str]) -> int:
        """Remove Index IDs from every group and the opt-out list (part of a purge)."""
        ids = set(index_ids)
        removed = len(self.optout & ids)
        self.optout -= ids
        for g in self.groups.values():
            removed += len(g.members & ids)
            g.members -= ids
        return removed

    # -- file ----------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> AccessPolicy:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise AccessPolicyError(f"{ACCESS_FILE}: not valid TOML: {exc}") from exc
        policy = cls(optout=set(_str_list(data.get("optout", []), "optout")))
        for name, body in (data.get("groups") or {}).items():
            if not isinstance(body, dict):
                raise AccessPolicyError(f"groups.{name}: expected a table")
            schedule = [WeeklyWindow.parse(s) for s in _str_list(body.get("schedule", []), name)]
            members = set(_str_list(body.get("members", []), f"groups.{name}.members"))
            policy.groups[name] = AccessGroup(name, schedule, members)
        return policy

    def dump(self) -> str:
        lines = [f"optout = {_toml_list(sorted(self.optout))}", ""]
        for name in sorted(self.groups):
            g = self.groups[name]
            lines += [
                f"[groups.{_toml_key(name)}]",
                f"schedule = {_toml_list([w.text for w in g.schedule])}",
                f"members = {_toml_list(sorted(g.members))}",
                "",
            ]
        return "\n".join(lines)

    @classmethod
    def load(cls, data_dir: Path) -> AccessPolicy:
        path = data_dir / ACCESS_FILE
        if not path.exists():
            return cls()
        return cls.parse(path.read_text(encoding="utf-8"))

    def save(self, data_dir: Path) -> Path:
        """Atomic write (temp file + fsync + rename): a crash never leaves half a policy."""
        path = data_dir / ACCESS_FILE
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".access-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.dump())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.astimezone()


def _str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AccessPolicyError(f"{where}: expected a list of strings")
    return list(value)


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_str(name)


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def forget_in_policy(data_dir: Path, index_ids: Iterable[str]) -> int:
    """Remove purged Index IDs from access.toml (call after every vault.delete, e.g. the
    admin panel's delete); returns how many entries went. No file: nothing to do."""
    if not (data_dir / ACCESS_FILE).exists():
        return 0
    policy = AccessPolicy.load(data_dir)
    removed = policy.forget(index_ids)
    if removed:
        policy.save(data_dir)
    return removed
