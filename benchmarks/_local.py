"""A fast local HTTPS API in a process of its own, for the benchmarks that measure the client.

Run by ``local_api()``; it serves ``connector_sim.testing.TlsServer`` on 127.0.0.1 with throwaway
certificates, answers every request with a small JSON body, and forgets what it recorded every
second so its memory stays flat over a long run. A separate process keeps the server's work off
the measured process (its RSS, file descriptors and CPU time are the client's alone).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator

ROOT = Path(__file__).resolve().parents[1]
ANSWER = {"loyaltyNumber": "L-1234"}


@contextlib.contextmanager
def local_api(*, mtls: bool = False) -> Iterator[Dict[str, Any]]:
    """Start the server process; yield {"url", "ca", "pfx", "password"}; stop it (and only it) on exit."""
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        server = subprocess.Popen([sys.executable, __file__, folder, "mtls" if mtls else "tls"], env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            if not line:
                raise RuntimeError("the benchmark server did not start")
            yield json.loads(line)
        finally:
            if server.stdin is not None:
                server.stdin.close()  # the server stops when its stdin closes
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _serve(folder: str, mode: str) -> None:
    from connector_sim.testing import Reply, TlsServer, make_certificates

    body = Reply(200, json=ANSWER)
    with make_certificates(folder) as certs, \
            TlsServer(lambda request: body, certificates=certs, require_client_cert=mode == "mtls") as server:
        def forget() -> None:
            while True:
                time.sleep(1.0)
                server.clear()

        threading.Thread(target=forget, daemon=True).start()
        print(json.dumps({"url": server.url("/api/GetProfile"), "base": server.base_url, "ca": str(certs.ca_pem),
                          "pfx": str(certs.client_pfx), "password": certs.password}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or goes away)


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])
