"""Upload limits against the real server (`taut serve`, gunicorn), not the test client (item 15).

A 1 GB body, chunked or with its size declared, is answered 413 before it is read; the web
workers' memory stays where it was, and nothing is stored.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks.server import DemoServer

pytestmark = pytest.mark.slow
GIGABYTE = 1_000_000_000


def _worker_rss_mb(port: int) -> list[float]:
    """Resident memory of the server's gunicorn processes, from /proc."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            if b"gunicorn" not in cmdline or f"127.0.0.1:{port}".encode() not in cmdline:
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def _post_gigabyte(url: str, token: str, *, chunked: bool) -> tuple[int, dict[str, object]]:
    """Stream 1 GB of zeros to `url` with curl; the status and the JSON answer."""
    zeros = subprocess.Popen(["head", "-c", str(GIGABYTE), "/dev/zero"], stdout=subprocess.PIPE)
    headers = ["-H", f"Authorization: Bearer {token}", "-H", "Content-Type: multipart/form-data; boundary=x"]
    if chunked:
        headers += ["-H", "Transfer-Encoding: chunked"]
    else:
        headers += ["-H", f"Content-Length: {GIGABYTE}"]
    done = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", *headers, "--data-binary", "@-", url],
        stdin=zeros.stdout,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    zeros.kill()
    zeros.wait()
    assert zeros.stdout is not None
    zeros.stdout.close()
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "declared"])
def test_a_gigabyte_upload_gets_413_and_memory_stays_bounded(server: DemoServer, chunked: bool) -> None:
    """1 GB sent to the gait upload: 413 in the API's error shape, no worker grows, nothing stored."""
    token = server.taut("token", "create", "leo").strip().split()[-1]
    listing = server.taut("manage", "shell", "-c", "from taut.motion.storage import listing; print(len(listing()))")
    before = max(_worker_rss_mb(server.port))
    url = f"{server.base_url}/api/v1/clients/1/visits/1/gait"
    status, body = _post_gigabyte(url, token, chunked=chunked)
    assert status == 413
    assert body["errors"][0]["type"] == "too_large"  # type: ignore[index]
    after = max(_worker_rss_mb(server.port))
    assert after < before + 100, (before, after)
    again = server.taut("manage", "shell", "-c", "from taut.motion.storage import listing; print(len(listing()))")
    assert again == listing
