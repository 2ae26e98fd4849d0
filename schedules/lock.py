"""One run at a time per database: a lock file next to it, held with flock.

The kernel releases an flock when its holder dies, even by SIGKILL, so a lock left by a
dead process is simply taken over; the file's text says who holds it, for the message.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path


class Locked(Exception):
    """Another run holds the lock."""

    def __init__(self, path: Path, pid: int | None, started: str | None):
        self.pid, self.started = pid, started
        super().__init__(
            f"another run is active on this database (pid {pid or '?'}, "
            f"started {started or '?'}; lock {path})"
        )


class RunLock:
    """Take with `acquire()`; held until `release()` or the process (and its children
    that inherited `fileno`) exit."""

    def __init__(self, db_path: str | Path):
        self.path = Path(f"{db_path}.lock")
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise Locked(self.path, holder.get("pid"), holder.get("started")) from None
        holder = json.dumps({"pid": os.getpid(), "started": datetime.now(UTC).isoformat()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        self.fd = fd

    @property
    def fileno(self) -> int:
        assert self.fd is not None, "lock not acquired"
        return self.fd

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
