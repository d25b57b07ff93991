"""Flow control: a client that pipelines requests but does not read its answers gets no more answers
made than it reads (so it cannot fill the sandbox's memory or its event loop), and everyone else is
served meanwhile; once it reads, every answer comes, in order."""

from __future__ import annotations

import time

from bunq_helpers.local_sandbox import LocalSandbox, http_server
from tests.helpers import Handshake, Raw
from tests.local_sandbox.test_attachments import tiny_png
from tests.local_sandbox.test_hardening import head, pipeline, read_answer, tls_socket

PIPELINED = 60
ATTACHMENT = tiny_png(bytes(range(256)) * 3500)  # 875 KiB: each answer is that big


def upload_attachment(raw: Raw, who: Handshake) -> str:
    created = raw.call(
        "POST",
        "attachment-public",
        ATTACHMENT,
        token=who.session_token,
        headers={"Content-Type": "image/png", "X-Bunq-Attachment-Description": "big"},
    )
    assert created.status_code == 200, created.text
    return created.json()["Response"][0]["Uuid"]["uuid"]


def test_a_client_that_never_reads_gets_no_more_answers_made_and_holds_nobody_up(
    sandbox: LocalSandbox, raw: Raw, client_key
) -> None:
    who = raw.handshake(client_key)
    uuid = upload_attachment(raw, who)
    path = f"/v1/attachment-public/{uuid}/content"
    made: list[float] = []
    sandbox.observe(lambda request: made.append(time.monotonic()) if request.raw_path == path else None)
    request = head(sandbox, f"GET {path} HTTP/1.1", f"X-Bunq-Client-Authentication: {who.session_token}")
    with tls_socket(sandbox, timeout=10) as greedy:
        greedy.sendall(request * PIPELINED)  # about 30 KB sent; about 50 MB of answers asked for
        for _ in range(3):  # the event loop is free for others: served at once, again and again
            started = time.monotonic()
            assert Raw(sandbox).call("POST", "sandbox-user-person").status_code == 200
            assert time.monotonic() - started < 1.0
        unread = len(made)
        assert 1 <= unread <= 12, f"{unread} answers of {len(ATTACHMENT)} bytes made for a client not reading"

        answers = [read_answer(greedy) for _ in range(PIPELINED)]  # reading resumes the answering
    assert [a.status for a in answers] == [200] * PIPELINED
    assert all(a.body == ATTACHMENT for a in answers)
    assert len(made) == PIPELINED


def test_past_the_queue_cap_a_pipelining_client_is_not_read(sandbox: LocalSandbox) -> None:
    """Hundreds of tiny pipelined requests: at most MAX_QUEUED wait parsed; the rest is left unread."""
    queued: list[int] = []
    connections = sandbox._server.connections

    def watch(request) -> None:
        queued.extend(len(c.ready) for c in connections)

    sandbox.observe(watch)
    tiny = head(sandbox, "GET /v1/user HTTP/1.1")
    count = 2000  # about 80 KB in one write
    with tls_socket(sandbox, timeout=10) as sock:
        answers = pipeline(sock, tiny * count, count)
    assert [a.status for a in answers] == [401] * count
    assert max(queued) <= http_server.MAX_QUEUED + 1  # the cap, and the one whose head completed it
