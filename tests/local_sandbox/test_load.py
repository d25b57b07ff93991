"""Load: 50 concurrent clients doing full handshakes and authenticated calls against one local sandbox,
for a bounded time. Zero errors, and every session token issued still works afterwards."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bunq_helpers import ApiContext, BunqClient, Environment
from bunq_helpers.client import accounts
from bunq_helpers.client.device_server import register_device
from bunq_helpers.client.installation import create_installation
from bunq_helpers.client.sandbox_user import create_sandbox_user
from bunq_helpers.client.session_server import open_session
from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox
from tests.conftest import endpoint_of

CLIENTS = 50
SECONDS = 8.0


def test_fifty_clients_in_parallel(tmp_path) -> None:
    with LocalSandbox(tmp_path / "load", threads=16) as sandbox:
        endpoint = endpoint_of(sandbox)
        client_keys = [keys.generate_private_key() for _ in range(8)]  # made in advance; reused round-robin
        errors: list[BaseException] = []
        sessions: list[tuple[str, int]] = []
        lock = threading.Lock()
        deadline = time.monotonic() + SECONDS

        def client(number: int) -> int:
            done = 0
            key = client_keys[number % len(client_keys)]
            context = ApiContext(Environment.LOCAL)
            http = BunqClient(endpoint, context=context)
            try:
                api_key = create_sandbox_user(http).api_key
                while time.monotonic() < deadline:
                    installation = create_installation(http, key)
                    context.record_installation(installation, key)
                    register_device(http, installation.token, api_key, f"load {number}", ["*"])
                    session = open_session(http, installation.token, api_key)
                    context.record_session(session)
                    accounts.get_user(http, context)
                    accounts.list_monetary_accounts(http, context)
                    with lock:
                        sessions.append((session.token, session.user_id))
                    done += 1
            except BaseException as error:
                with lock:
                    errors.append(error)
            finally:
                http.close()
            return done

        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            handshakes = sum(pool.map(client, range(CLIENTS)))
        elapsed = time.monotonic() - started
        print(
            f"\n{CLIENTS} clients: {handshakes} full handshakes (+2 calls each) in {elapsed:.1f} s, "
            f"{handshakes / elapsed:.1f}/s, errors: {len(errors)}"
        )
        assert errors == []
        assert handshakes >= CLIENTS

        checker = BunqClient(endpoint)
        for token, user_id in sessions:
            exchange = checker.request("GET", f"user/{user_id}", token=token)
            assert exchange.status == 200
