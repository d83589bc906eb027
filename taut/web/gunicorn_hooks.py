"""gunicorn hooks for `taut serve`: one background-job worker starts and stops with the server.

Set TAUT_EMBEDDED_WORKER=0 when workers run elsewhere (`taut worker` on other machines).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

_worker: subprocess.Popen[bytes] | None = None


def when_ready(server: Any) -> None:
    global _worker
    if os.environ.get("TAUT_EMBEDDED_WORKER", "1") == "0":
        return
    _worker = subprocess.Popen([sys.executable, "-m", "taut.cli", "worker"])
    server.log.info("Background-job worker started (pid %s)", _worker.pid)


def on_exit(server: Any) -> None:
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _worker.kill()
