"""The server the client benchmarks measure against: a throwaway nginx, else TlsServer in its own process.

``api_server(certs)`` starts nginx (``apt-get install nginx``; found at ``/usr/sbin/nginx`` or on
PATH) on 127.0.0.1 with a generated configuration and the throwaway certificates of
``connector_sim.testing.make_certificates``: one port for plain TLS, one that requires a client
certificate from the test CA, both answering every request with the same fixed JSON over
keep-alive. Without nginx it falls back to ``connector_sim.testing.TlsServer`` in a separate
process (``_local.py``'s server), and says so in the description it yields.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

ANSWER = '{"loyaltyNumber":"L-1234"}'

_CONFIG = """
worker_processes 1;
daemon off;
master_process on;
user {user};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    ssl_certificate {pem};
    ssl_certificate_key {pem};
    ssl_protocols TLSv1.2 TLSv1.3;
    server {{
        listen 127.0.0.1:{port};
        ssl on_placeholder;
        location / {{ default_type application/json; return 200 '{answer}'; }}
    }}
    server {{
        listen 127.0.0.1:{mtls_port};
        ssl on_placeholder;
        ssl_client_certificate {ca};
        ssl_verify_client on;
        location / {{ default_type application/json; return 200 '{answer}'; }}
    }}
}}
"""


def nginx_binary() -> Optional[str]:
    """The nginx executable, or None."""
    if os.access("/usr/sbin/nginx", os.X_OK):
        return "/usr/sbin/nginx"
    return shutil.which("nginx")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening within 10 s")


@contextlib.contextmanager
def _nginx(binary: str, certs: Any) -> Iterator[Dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    try:
        pem = folder / "server.pem"
        certs.server.private_key_and_cert_chain_pem.write_to_path(str(pem))
        port, mtls_port = _free_port(), _free_port()
        # nginx 1.25+ takes "listen ... ssl"; the placeholder keeps the template readable.
        text = _CONFIG.format(dir=folder, pem=pem, ca=certs.ca_pem, port=port, mtls_port=mtls_port, answer=ANSWER,
                              user="root" if os.geteuid() == 0 else os.environ.get("USER", "nobody"))
        text = text.replace(f"listen 127.0.0.1:{port};\n        ssl on_placeholder;", f"listen 127.0.0.1:{port} ssl;")
        text = text.replace(f"listen 127.0.0.1:{mtls_port};\n        ssl on_placeholder;",
                            f"listen 127.0.0.1:{mtls_port} ssl;")
        if os.geteuid() != 0:
            text = text.replace(f"user {os.environ.get('USER', 'nobody')};\n", "")
        config = folder / "nginx.conf"
        config.write_text(text)
        process = subprocess.Popen([binary, "-p", str(folder), "-c", str(config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        try:
            _wait_listening(port, process, folder / "error.log")
            _wait_listening(mtls_port, process, folder / "error.log")
            version = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
            yield {"server": f"nginx ({version.split('/')[-1]}, 1 worker, in its own processes)",
                   "base": f"https://127.0.0.1:{port}", "mtls_base": f"https://127.0.0.1:{mtls_port}",
                   "ca": str(certs.ca_pem), "mtls_ca": str(certs.ca_pem), "pfx": str(certs.client_pfx),
                   "password": certs.password}
        finally:
            process.send_signal(signal.SIGQUIT)  # graceful stop of the master we started, and its worker
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def api_server(certs: Any, *, force_fallback: bool = False) -> Iterator[Dict[str, Any]]:
    """Yield {"server", "base", "mtls_base", "ca", "mtls_ca", "pfx", "password"}: a fixed-JSON API on 127.0.0.1."""
    binary = None if force_fallback else nginx_binary()
    if binary is not None:
        with _nginx(binary, certs) as found:
            yield found
        return
    from _local import local_api  # benchmarks/ is on sys.path when a benchmark runs

    with local_api() as plain, local_api(mtls=True) as mtls:
        yield {"server": "connector_sim.testing.TlsServer in a separate process (nginx not installed: "
                         "apt-get install nginx)",
               "base": plain["base"], "mtls_base": mtls["base"], "ca": plain["ca"], "pfx": mtls["pfx"],
               "password": mtls["password"], "mtls_ca": mtls["ca"]}
