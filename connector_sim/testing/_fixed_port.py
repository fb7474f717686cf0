"""A `TlsServer` on a port the user chose, so an API configured with its URLs keeps reaching it across runs."""

from __future__ import annotations

import socket
import threading
from typing import Any

from ..errors import ConfigurationError
from ._http import ThreadedServer
from .server import TlsServer

__all__ = ["FixedPortServer"]


class FixedPortServer(TlsServer):
    """A TlsServer on a port the user chose (0: any free one), so an API can keep trusting its URLs."""

    def __init__(self, *args: Any, port: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wanted_port = port

    def start(self) -> TlsServer:
        """Bind the chosen port and serve; returns self."""
        if self._httpd is not None:
            return self
        try:
            self._ssl_context = self._build_context()
            self._httpd = ThreadedServer(self, (self.host, self._wanted_port), socket.AF_INET)
        except OSError as exc:
            self._cleanup_certificates()
            raise ConfigurationError(f"the authority cannot listen on {self.host}:{self._wanted_port}: "
                                     f"{exc.strerror or exc}", hint="choose another --port, or 0 for any") from exc
        self._serve_thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                              name=f"connector-sim-authority-{self.port}", daemon=True)
        self._serve_thread.start()
        return self
