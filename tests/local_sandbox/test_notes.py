"""Notes (``note-text``, ``note-attachment``) on every parent the sandbox holds (payments, requests and
their answers and batches, drafts, payment batches, scheduled payments and batches, schedule runs): on
the right parent only, the caller's only, in bunq's shapes; and the generic mechanism that serves them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.catalogue import load_catalogue
from bunq_helpers.local_sandbox.endpoints import attachments, held_parents, notes
from bunq_helpers.local_sandbox.endpoints.draft_payments import DRAFT_PAYMENT
from bunq_helpers.local_sandbox.endpoints.note_parents import NOTE_PARENTS
from tests.helpers import Raw, error_of
from tests.local_sandbox.test_attachments import STAMP, tiny_png, upload

REPO = Path(__file__).resolve().parents[2]
# Each parent the sandbox holds -> its path below my account, filled from the fixture's ids.
PARENTS = {
    "payment": "payment/{received}",
    "request-inquiry": "request-inquiry/{inquiry}",
    "request-response": "request-response/{response}",
    "request-inquiry-batch": "request-inquiry-batch/{inquiry_batch}",
    "draft-payment": "draft-payment/{draft}",
    "payment-batch": "payment-batch/{payment_batch}",
    "schedule-payment": "schedule-payment/{scheduled}",
    "schedule-payment-batch": "schedule-payment-batch/{scheduled_batch}",
    "schedule-instance": "schedule/{ran}/schedule-instance/{instance}",
}
FAR = {"time_start": "2100-01-01 00:00:00", "recurrence_unit": "ONCE"}  # never due in a test
PAST = {"time_start": "2020-01-01 00:00:00", "recurrence_unit": "ONCE"}  # due at the next read


@pytest.fixture
def w(tmp_path, client_key) -> Iterator[SimpleNamespace]:
    """Two users. Mine has a payment received from sugar daddy, one sent to the other user, a request,
    the other user's request to me (my RequestResponse), and one of each money object: a request batch,
    a draft, a payment batch, a scheduled payment and batch, and a schedule that has run once."""
    with LocalSandbox(tmp_path / "state", options=SandboxOptions(sugardaddy_delay=0)) as sandbox:
        raw = Raw(sandbox)
        mine, other = raw.handshake(client_key), raw.handshake(keys.generate_private_key())
        account = f"user/{mine.user_id}/monetary-account/{mine.account_id}"
        ask = {"amount_inquired": {"value": "50.00", "currency": "EUR"}, "description": "money"}
        ask["counterparty_alias"] = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}
        inquiry = raw.call("POST", f"{account}/request-inquiry", ask, token=mine.session_token)
        [received] = raw.call("GET", f"{account}/payment", token=mine.session_token).json()["Response"]
        other_alias = {"type": "IBAN", "value": _iban(raw, other), "name": "Other"}
        pay = {"amount": {"value": "5.00", "currency": "EUR"}, "counterparty_alias": other_alias}
        sent = raw.call(
            "POST",
            f"{account}/payment",
            {**pay, "description": "to other"},
            token=mine.session_token,
            sign_with=mine.key,
        )
        assert sent.status_code == 200, sent.text
        [their_payment] = raw.call(
            "GET",
            f"user/{other.user_id}/monetary-account/{other.account_id}/payment",
            token=other.session_token,
        ).json()["Response"]
        their_account = f"user/{other.user_id}/monetary-account/{other.account_id}"

        def made(path: str, body: dict, signed: bool = False, who=mine, where: str = account) -> int:
            answer = raw.call(
                "POST",
                f"{where}/{path}",
                body,
                token=who.session_token,
                sign_with=who.key if signed else None,
            )
            assert answer.status_code == 200, answer.text
            return answer.json()["Response"][0]["Id"]["id"]

        my_email = raw.call("GET", "user", token=mine.session_token).json()["Response"][0]["UserPerson"][
            "alias"
        ]
        asked_of_me = {**ask, "counterparty_alias": my_email[0], "description": "pizza"}
        made("request-inquiry", asked_of_me, who=other, where=their_account)
        [response] = raw.call("GET", f"{account}/request-response", token=mine.session_token).json()[
            "Response"
        ]
        order = {**pay, "amount": {"value": "1.00", "currency": "EUR"}, "description": "note me"}
        ran = made("schedule-payment", {"payment": order, "schedule": PAST}, signed=True)
        raw.call("GET", account, token=mine.session_token)  # the past schedule runs on this read
        [instance] = sandbox.store.read().execute(  # a ScheduledInstance shows no id: the store has it
            "SELECT id FROM schedule_instances WHERE schedule_id = ?", (ran,)
        )
        yield SimpleNamespace(
            response=response["RequestResponse"]["id"],
            inquiry_batch=made("request-inquiry-batch", {"request_inquiries": [ask]}),
            draft=made("draft-payment", {"entries": [order], "number_of_required_accepts": 1}),
            payment_batch=made("payment-batch", {"payments": [order, order]}, signed=True),
            scheduled=made("schedule-payment", {"payment": order, "schedule": FAR}, signed=True),
            scheduled_batch=made(
                "schedule-payment-batch", {"payments": [order], "schedule": FAR}, signed=True
            ),
            ran=ran,
            instance=instance[0],
            sandbox=sandbox,
            raw=raw,
            mine=mine,
            other=other,
            account=account,
            received=received["Payment"]["id"],
            sent=sent.json()["Response"][0]["Id"]["id"],
            inquiry=inquiry.json()["Response"][0]["Id"]["id"],
            their_payment=their_payment["Payment"]["id"],
            their_account=their_account,
        )


def _iban(raw: Raw, who) -> str:
    accounts = raw.call("GET", f"user/{who.user_id}/monetary-account", token=who.session_token).json()
    return accounts["Response"][0]["MonetaryAccountBank"]["alias"][0]["value"]


def _call(w: SimpleNamespace, method: str, path: str, body: dict | None = None, who=None):
    return w.raw.call(method, path, body, token=(who or w.mine).session_token)


def _parent_path(w: SimpleNamespace, parent: str) -> str:
    return f"{w.account}/" + PARENTS[parent].format(**vars(w))


def test_every_parent_the_sandbox_holds_is_tested_here() -> None:
    assert set(PARENTS) | set(held_parents.NOTED) == set(notes.PARENTS)  # those: test_merchant_transactions


@pytest.mark.parametrize("parent", PARENTS)
def test_note_text_create_list_read_update_delete(w: SimpleNamespace, parent: str) -> None:
    base = _parent_path(w, parent) + "/note-text"
    created = _call(w, "POST", base, {"content": "lunch with Ann"})
    assert created.status_code == 200, created.text
    [item] = created.json()["Response"]
    note_id = item["Id"]["id"]
    assert list(item) == ["Id"] and isinstance(note_id, int)

    listed = _call(w, "GET", base).json()
    assert [entry["NoteText"]["id"] for entry in listed["Response"]] == [note_id]
    assert set(listed["Pagination"]) == {"older_url", "newer_url", "future_url"}
    read = _call(w, "GET", f"{base}/{note_id}").json()["Response"][0]["NoteText"]
    assert read["content"] == "lunch with Ann" and STAMP.match(read["created"])
    user = _call(w, "GET", f"user/{w.mine.user_id}").json()["Response"][0]["UserPerson"]
    assert read["label_user_creator"] == {
        "uuid": user["public_uuid"],
        "display_name": user["display_name"],
        "public_nick_name": user["public_nick_name"],
        "country": "NL",
    }

    updated = _call(w, "PUT", f"{base}/{note_id}", {"content": "lunch with Ann and Bo"})
    assert updated.status_code == 200 and updated.json()["Response"] == [{"Id": {"id": note_id}}]
    after = _call(w, "GET", f"{base}/{note_id}").json()["Response"][0]["NoteText"]
    assert after["content"] == "lunch with Ann and Bo" and after["created"] == read["created"]
    assert after["updated"] >= read["updated"]
    assert _call(w, "PUT", f"{base}/{note_id}", {}).status_code == 200  # nothing to change (the SDK's null)
    assert (
        _call(w, "GET", f"{base}/{note_id}").json()["Response"][0]["NoteText"]["content"] == after["content"]
    )

    deleted = _call(w, "DELETE", f"{base}/{note_id}")
    assert deleted.status_code == 200 and deleted.json() == {"Response": []}
    gone = _call(w, "GET", f"{base}/{note_id}")
    assert gone.status_code == 404 and error_of(gone) == f"NoteText with id {note_id} not found."
    assert _call(w, "GET", base).json()["Response"] == []


def test_notes_are_listed_on_their_own_parent_only(w: SimpleNamespace) -> None:
    on_received = f"{w.account}/payment/{w.received}"
    on_sent = f"{w.account}/payment/{w.sent}"
    on_inquiry = f"{w.account}/request-inquiry/{w.inquiry}"
    ids = {}
    for parent, text in ((on_received, "a"), (on_sent, "b"), (on_inquiry, "c")):
        ids[parent] = _call(w, "POST", f"{parent}/note-text", {"content": text}).json()["Response"][0]["Id"][
            "id"
        ]
    for parent, text in ((on_received, "a"), (on_sent, "b"), (on_inquiry, "c")):
        listed = _call(w, "GET", f"{parent}/note-text").json()["Response"]
        assert [(n["NoteText"]["id"], n["NoteText"]["content"]) for n in listed] == [(ids[parent], text)]
        assert _call(w, "GET", f"{parent}/note-attachment").json()["Response"] == []
    # A note is not reachable through another parent, nor as the other kind of note.
    wrong = _call(w, "GET", f"{on_sent}/note-text/{ids[on_received]}")
    assert wrong.status_code == 404 and "NoteText with id" in error_of(wrong)
    other_kind = _call(w, "GET", f"{on_received}/note-attachment/{ids[on_received]}")
    assert other_kind.status_code == 404 and "NoteAttachment with id" in error_of(other_kind)
    for method, body in (("PUT", {"content": "x"}), ("DELETE", None)):
        assert _call(w, method, f"{on_sent}/note-text/{ids[on_received]}", body).status_code == 404
    assert (
        _call(w, "GET", f"{on_received}/note-text/{ids[on_received]}").json()["Response"][0]["NoteText"][
            "content"
        ]
        == "a"
    )


def test_pagination_of_notes_newest_first(w: SimpleNamespace) -> None:
    base = f"{w.account}/request-inquiry/{w.inquiry}/note-text"
    made = [_call(w, "POST", base, {"content": str(i)}).json()["Response"][0]["Id"]["id"] for i in range(3)]
    page = _call(w, "GET", f"{base}?count=2").json()
    assert [n["NoteText"]["id"] for n in page["Response"]] == made[:0:-1]
    older = w.raw.call(
        "GET",
        "https://" + w.raw.sandbox.base_url.split("/")[2] + page["Pagination"]["older_url"],
        token=w.mine.session_token,
    ).json()
    assert [n["NoteText"]["id"] for n in older["Response"]] == [made[0]]


def test_missing_or_someone_elses_parent_is_bunqs_404(w: SimpleNamespace) -> None:
    before = w.sandbox.store.snapshot()
    cases = [
        # my account, a payment id that does not exist / that is the other user's
        (f"{w.account}/payment/{w.sent + 999}/note-text", "Payment with id"),
        (f"{w.account}/payment/{w.their_payment}/note-text", "Payment with id"),
        (f"{w.account}/request-inquiry/{w.received}/note-text", "RequestInquiry with id"),
        (f"{w.account}/request-response/{w.inquiry}/note-text", "RequestResponse with id"),
        # a scheduled batch is not a scheduled payment; a run belongs to its own schedule only
        (f"{w.account}/schedule-payment/{w.scheduled_batch}/note-text", "ScheduledPayment with id"),
        (f"{w.account}/schedule/{w.scheduled}/schedule-instance/{w.instance}/note-text", "ScheduledInstance"),
        # the other user's path with my session
        (f"{w.their_account}/payment/{w.their_payment}/note-text", f"User with id {w.other.user_id}"),
        (
            f"user/{w.mine.user_id}/monetary-account/{w.other.account_id}/payment/{w.their_payment}/note-text",
            f"MonetaryAccount with id {w.other.account_id}",
        ),
    ]
    for path, message in cases:
        for method, body in (("GET", None), ("POST", {"content": "x"})):
            response = _call(w, method, path, body)
            assert response.status_code == 404 and message in error_of(response), (method, path)
    assert w.sandbox.store.snapshot() == before
    # The other user sees only notes on their own side of the payment.
    mine = _call(w, "POST", f"{w.account}/payment/{w.sent}/note-text", {"content": "mine"})
    note_id = mine.json()["Response"][0]["Id"]["id"]
    theirs = f"{w.their_account}/payment/{w.their_payment}/note-text"
    assert _call(w, "GET", theirs, who=w.other).json()["Response"] == []
    assert _call(w, "GET", f"{theirs}/{note_id}", who=w.other).status_code == 404


@pytest.mark.parametrize("parent", PARENTS)
def test_note_attachment_points_at_an_uploaded_file(w: SimpleNamespace, parent: str) -> None:
    uploaded = upload(w.raw, w.mine, f"{w.account}/attachment", tiny_png(), "image/png", "receipt")
    attachment_id = uploaded.json()["Response"][0]["Id"]["id"]
    base = _parent_path(w, parent) + "/note-attachment"
    created = _call(w, "POST", base, {"attachment_id": attachment_id, "description": "the receipt"})
    assert created.status_code == 200, created.text
    note_id = created.json()["Response"][0]["Id"]["id"]
    [listed] = _call(w, "GET", base).json()["Response"]
    note = listed["NoteAttachment"]
    assert note["id"] == note_id and note["description"] == "the receipt"
    assert note["attachment"] == [{"id": attachment_id, "monetary_account_id": w.mine.account_id}]
    assert set(note) == {"id", "created", "updated", "label_user_creator", "description", "attachment"}

    # bunq's SDK updates only the description; the file stays.
    assert _call(w, "PUT", f"{base}/{note_id}", {"description": "lunch receipt"}).status_code == 200
    note = _call(w, "GET", f"{base}/{note_id}").json()["Response"][0]["NoteAttachment"]
    assert note["description"] == "lunch receipt" and note["attachment"][0]["id"] == attachment_id

    # What the note points at is the user's attachment, bytes and all (bunq's "download attachments" flow).
    content = _call(w, "GET", f"user/{w.mine.user_id}/attachment/{note['attachment'][0]['id']}/content")
    assert content.content == tiny_png()

    # Without a description the note still has the file.
    bare = _call(w, "POST", base, {"attachment_id": attachment_id}).json()["Response"][0]["Id"]["id"]
    assert _call(w, "GET", f"{base}/{bare}").json()["Response"][0]["NoteAttachment"]["description"] == ""

    deleted = _call(w, "DELETE", f"{base}/{note_id}")
    assert deleted.status_code == 200 and deleted.json() == {"Response": []}
    assert [n["NoteAttachment"]["id"] for n in _call(w, "GET", base).json()["Response"]] == [bare]
    assert _call(w, "GET", f"{base}/{note_id}").status_code == 404
    # The file itself stays: deleting a note does not delete what it pointed at.
    assert _call(w, "GET", f"user/{w.mine.user_id}/attachment/{attachment_id}").status_code == 200


def test_note_attachment_refuses_files_that_are_not_the_callers(w: SimpleNamespace) -> None:
    theirs = upload(w.raw, w.other, f"{w.their_account}/attachment", tiny_png(), "image/png", "x")
    their_id = theirs.json()["Response"][0]["Id"]["id"]
    public = upload(w.raw, w.mine, "attachment-public", tiny_png(), "image/png", "x")
    assert public.status_code == 200
    public_id = (
        w.sandbox.store.read().execute("SELECT id FROM attachments WHERE account_id IS NULL").fetchone()[0]
    )
    base = f"{w.account}/payment/{w.received}/note-attachment"
    before = w.sandbox.store.snapshot()
    for body, message in (
        ({"attachment_id": their_id}, f'"attachment_id": there is no attachment {their_id}'),
        ({"attachment_id": public_id}, f'"attachment_id": there is no attachment {public_id}'),
        ({"description": "no file"}, 'Field "attachment_id" is required'),
        ({"attachment_id": str(their_id)}, '"attachment_id" must be a whole number'),
    ):
        response = _call(w, "POST", base, body)
        assert response.status_code == 400 and message in error_of(response), body
    assert w.sandbox.store.snapshot() == before


def test_registering_a_parent_gives_it_all_ten_operations_at_bunqs_paths() -> None:
    routes = notes.note_routes({"draft-payment": notes.held_as(DRAFT_PAYMENT)})
    template = NOTE_PARENTS["draft-payment"]
    assert sorted((r.method, r.template) for r in routes) == sorted(
        [(m, f"{template}/{kind}") for kind in ("note-text", "note-attachment") for m in ("GET", "POST")]
        + [
            (m, f"{template}/{kind}/{{note_id}}")
            for kind in ("note-text", "note-attachment")
            for m in ("GET", "PUT", "DELETE")
        ]
    )
    with pytest.raises(ValueError, match="no notes on \\['invoice'\\]"):
        notes.note_routes({"invoice": notes.held_as(DRAFT_PAYMENT)})


def test_every_route_here_is_an_operation_in_bunqs_description() -> None:
    ours = attachments.ROUTES + notes.ROUTES
    assert load_catalogue().unknown_routes(ours) == []
    assert len(ours) >= 25


SPEC = REPO.parent / "shared" / "bunq-api" / "openapi.json"


@pytest.mark.skipif(
    not SPEC.is_file(), reason=f"bunq's OpenAPI description is not at {SPEC} (../shared absent)"
)
def test_the_generated_parent_list_matches_bunqs_description() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "derive_note_parents.py"), str(SPEC), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(NOTE_PARENTS) == 20
