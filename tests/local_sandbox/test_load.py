"""Load: 50 concurrent clients doing full handshakes and authenticated calls against one in-process
sandbox, bounded by count. Zero errors, and every session token issued works afterwards."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Handshake, Raw

CLIENTS = 50
HANDSHAKES_EACH = 2


def test_fifty_clients_in_parallel(fresh_state, client_key) -> None:
    with LocalSandbox(fresh_state("load")) as sandbox:
        done: list[Handshake] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            raw = Raw(sandbox)
            api_key = raw.sandbox_user()
            for _ in range(HANDSHAKES_EACH):
                handshake = raw.handshake(client_key, api_key=api_key, permitted_ips=["*"])  # + 1 call
                assert raw.call("GET", f"user/{handshake.user_id}", token=handshake.session_token).ok
                with lock:
                    done.append(handshake)

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))  # re-raises the first failure

        assert len(done) == CLIENTS * HANDSHAKES_EACH
        checker = Raw(sandbox)
        for handshake in done:
            response = checker.call("GET", "user", token=handshake.session_token)
            assert response.json()["Response"][0]["UserPerson"]["id"] == handshake.user_id
        db = sandbox.store.read()
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == CLIENTS * HANDSHAKES_EACH
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
