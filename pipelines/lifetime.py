"""Worker processes that live and stop with the process that started them.

A pool's worker waits on a task queue it holds both ends of, so when its parent is
killed outright (SIGKILL, the OOM killer, a SIGTERM with no handler) it would wait for
ever; and Ctrl-C in a terminal reaches every process of the command, so each worker
would stop on its own with a traceback while its parent stops in order. The crawl's
extraction workers and recluster's reading process start with `end_with(parent)`: they
leave Ctrl-C to the parent, which shuts its pool down, and end as soon as it has ended,
however it ended.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time


def end_with(parent_pid: int) -> None:
    """In a worker, as it starts (a pool's initializer): ignore Ctrl-C, and exit once
    `parent_pid` has ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_after, args=(parent_pid,), daemon=True).start()


def _exit_after(pid: int) -> None:
    try:
        ended = os.pidfd_open(pid)  # readable once the process has ended (Linux 5.3+)
    except (AttributeError, OSError):  # elsewhere, or already gone: look once a second
        while _alive(pid):
            time.sleep(1.0)
    else:
        select.select([ended], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone (the number maybe another user's)
        return False
    return True
