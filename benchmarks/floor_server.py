"""The floor's do-nothing HTTPS server, as its own process (as the local sandbox runs in the benchmark).

    python benchmarks/floor_server.py CERT_FILE KEY_FILE

Prints the port it listens on, then serves until its standard input closes. Every request gets
``200`` with ``{}``: no parsing, no signing, no state; only TLS and HTTP/1.1 keep-alive (cheroot).
"""

from __future__ import annotations

import sys
import threading

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter


def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def main() -> int:
    cert_file, key_file = sys.argv[1:3]
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.ssl_adapter = BuiltinSSLAdapter(cert_file, key_file)
    server.prepare()
    threading.Thread(target=server.serve, daemon=True).start()
    print(server.bind_addr[1], flush=True)
    sys.stdin.read()  # until the benchmark closes it
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
