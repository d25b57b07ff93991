"""The spec check itself (it must catch what it claims to), and a tour that gets a 200 from each
operation the handshake and first-call families emulate, so the conftest checks every one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.app import Answer, SandboxApp
from bunq_helpers.local_sandbox.http_io import Response
from tests.helpers import Raw
from tests.local_sandbox.spec_check import (
    FIELDS_BUNQ_SENDS,
    WRAPPERS_BUNQ_SENDS,
    SpecWatch,
    check_answer,
    check_body,
)

PAYMENT_READ = ("GET", "user/{u}/monetary-account/{a}/payment/{p}")


def _payment(**changes) -> dict:
    payment = {
        "id": 7,
        "created": "2026-01-01 10:00:00.000000",
        "amount": {"value": "-1.00", "currency": "EUR"},
        "alias": {"iban": "NL00BUNQ0000000001", "label_user": {"uuid": None, "display_name": "A"}},
        "attachment": [],
        "geolocation": None,
    }
    payment.update(changes)
    return {"Response": [{"Payment": payment}]}


def test_an_answer_in_bunqs_shape_passes_with_nulls_where_bunq_sends_them() -> None:
    assert check_answer(*PAYMENT_READ, _payment()) == []


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (_payment(id="7"), "Response[0].Payment.id: bunq's spec has integer, the answer has string"),
        (_payment(id=True), "Response[0].Payment.id: bunq's spec has integer, the answer has boolean"),
        (_payment(amount={"value": 1, "currency": "EUR"}), "Payment.amount.value: bunq's spec has string"),
        (
            _payment(amount="1.00"),
            "Payment.amount: bunq's spec has an object (Amount), the answer has string",
        ),
        (_payment(attachment={}), "Payment.attachment: bunq's spec has an array, the answer has object"),
        (_payment(colour="red"), "Payment.colour: field not in bunq's spec for PaymentRead"),
        (
            _payment(alias={"label_user": {"nick": "x"}}),
            "label_user.nick: field not in bunq's spec for LabelUser",
        ),
        (
            _payment(counterparty_alias={"bunq_me": {"type": "EMAIL", "service": "x"}}),
            "bunq_me.service: field only in requests for Pointer",
        ),
        ({"Response": [{"PaymentRead": {}}]}, "wrapper 'PaymentRead'; bunq's spec has Payment"),
        ({"Response": [{"Payment": {}, "Id": {}}]}, "each item must be one object under one wrapper key"),
        ({"Response": [], "Pagination": {}}, "top-level key 'Pagination' is not in bunq's answers"),
        ({"Payment": {}}, "the answer is not {'Response': [...]}"),
    ],
)
def test_what_bunqs_spec_lacks_is_reported(payload: dict, problem: str) -> None:
    problems = check_answer(*PAYMENT_READ, payload)
    assert len(problems) == 1 and problem in problems[0], problems


def test_list_answers_may_carry_pagination_with_bunqs_keys() -> None:
    listing = ("GET", "user/{u}/monetary-account/{a}/payment")
    page = {"older_url": None, "newer_url": "/v1/x?count=1", "future_url": None}
    assert check_answer(*listing, {"Response": [], "Pagination": page}) == []
    assert check_answer(*listing, {"Response": [], "Pagination": {**page, "next": None}}) == [
        "Pagination.next: field not in bunq's spec for Pagination"
    ]


def test_delete_answers_nothing_and_unknown_operations_are_reported() -> None:
    assert check_answer("DELETE", "session/{id}", {"Response": []}) == []
    assert "no items at all" in check_answer("DELETE", "session/{id}", {"Response": [{"Id": {"id": 1}}]})[0]
    assert check_answer("GET", "nowhere", {"Response": []}) == [
        "GET nowhere is not an operation in bunq's spec"
    ]
    assert check_body("GET", "user", b"<html>")[0].startswith("the answer to GET user is not JSON")


def test_allow_lists_name_their_source_and_only_let_through_what_they_name() -> None:
    assert all(len(source) > 20 for source in FIELDS_BUNQ_SENDS.values())
    assert all(len(entry[-1]) > 20 for entry in WRAPPERS_BUNQ_SENDS)
    token = {"id": 1, "created": "x", "updated": "y", "token": "t"}
    user = {"id": 1, "display_name": "A"}
    session = {"Response": [{"Id": {"id": 1}}, {"Token": token}, {"UserPerson": user}]}
    assert check_answer("POST", "session-server", session) == []
    token["colour"] = "red"
    assert check_answer("POST", "session-server", session) == [
        "Response[1].Token.colour: field not in bunq's spec for SessionServerToken"
    ]
    assert check_answer("POST", "sandbox-user-person", {"Response": [{"ApiKey": {"api_key": "k"}}]}) == []
    assert check_answer("POST", "sandbox-user-person", {"Response": [{"ApiKey": {"api_key": 5}}]}) == [
        "Response[0].ApiKey.api_key: bunq's spec has string, the answer has integer"
    ]
    note = ("GET", "user/{u}/monetary-account/{a}/payment/{p}/note-text/{n}")
    assert check_answer(*note, {"Response": [{"NoteText": {"id": 1, "content": "hi"}}]}) == []
    assert check_answer(*note, {"Response": [{"NoteText": {"id": 1, "colour": "red"}}]}) == [
        "Response[0].NoteText.colour: field not in bunq's spec for NoteTextPaymentRead"
    ]
    assert check_answer("GET", "user/{u}/credential-password-ip", {"Response": [{"ApiKey": {}}]}) != []


def test_the_app_shows_every_answer_and_the_watch_keeps_mismatches_until_taken(raw: Raw) -> None:
    seen: list[Answer] = []
    SandboxApp.answers_seen.append(seen.append)
    try:
        raw.call("GET", "user")
        raw.call("POST", "sandbox-user-person")
        raw.call("GET", "no-such-path")
    finally:
        SandboxApp.answers_seen.remove(seen.append)
    assert [(a.response.status, a.route and a.route.template) for a in seen] == [
        (401, "user"),
        (200, "sandbox-user-person"),
        (404, None),
    ]
    assert seen[1].response.body.startswith(b'{"Response":[{"ApiKey":')
    watch = SpecWatch()
    wrong = Response(200, b'{"Response":[{"ApiKey":{"api_key":1}}]}', [])
    for answer in (*seen, Answer(seen[1].request, seen[1].route, wrong)):
        watch(answer)
    assert watch.take() == [
        "POST /v1/sandbox-user-person: Response[0].ApiKey.api_key: bunq's spec has string, the answer has integer"
    ]
    assert watch.take() == []
    assert watch.exercised == {("POST", "sandbox-user-person")} and watch.answers_checked == 2


class _Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_tour_of_the_first_emulated_operations_answers_200_in_bunqs_shapes(
    tmp_path: Path, client_key
) -> None:
    """Each call's answer is checked against bunq's spec by the conftest; here only that it is a 200."""
    clock = _Clock()
    with LocalSandbox(tmp_path / "state", options=SandboxOptions(clock=clock)) as sandbox:
        raw = Raw(sandbox)
        company_key = raw.sandbox_user(company=True)
        done = raw.handshake(client_key)
        token = done.session_token
        user = f"user/{done.user_id}"
        account = f"{user}/monetary-account/{done.account_id}"

        def ok(method: str, path: str, body: dict | None = None, **kwargs) -> dict:
            response = raw.call(method, path, body, **{"token": token, **kwargs})
            assert response.status_code == 200, (method, path, response.text)
            return response.json()

        inquiry = {
            "amount_inquired": {"value": "100.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "Sugar Daddy"},
            "description": "tour",
            "allow_bunqme": False,
        }
        inquiry_id = ok("POST", f"{account}/request-inquiry", inquiry)["Response"][0]["Id"]["id"]
        clock.now += 3_600
        ok("GET", f"{account}/request-inquiry")
        ok("GET", f"{account}/request-inquiry/{inquiry_id}")
        payment = {
            "amount": {"value": "12.50", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "Sugar Daddy"},
            "description": "tour",
        }
        payment_id = ok("POST", f"{account}/payment", payment, sign_with=client_key)["Response"][0]["Id"][
            "id"
        ]
        ok("GET", f"{account}/payment")
        ok("GET", f"{account}/payment/{payment_id}")
        ok("GET", "user")
        ok("GET", user)
        ok("GET", f"{user}/monetary-account")
        ok("GET", f"{user}/monetary-account/{done.account_id}")
        ok("GET", f"{user}/monetary-account-bank")
        ok("GET", f"{user}/monetary-account-bank/{done.account_id}")
        ok("GET", "installation")
        ok("GET", f"installation/{done.installation_id}")
        ok("GET", f"installation/{done.installation_id}/server-public-key")
        ok("GET", "device-server")
        ok("GET", f"device-server/{done.device_id}")
        credentials = f"{user}/credential-password-ip"
        credential_id = ok("GET", credentials)["Response"][0]["CredentialPasswordIp"]["id"]
        ok("GET", f"{credentials}/{credential_id}")
        ok("GET", f"{credentials}/{credential_id}/ip")
        ip_id = ok("POST", f"{credentials}/{credential_id}/ip", {"ip": "10.1.2.3"})["Response"][0]["Id"]["id"]
        ok("GET", f"{credentials}/{credential_id}/ip/{ip_id}")
        ok("PUT", f"{credentials}/{credential_id}/ip/{ip_id}", {"status": "INACTIVE"})
        ok("DELETE", "session/0")
        _, installation_token, _ = raw.install(client_key)
        device = {"description": "tour", "secret": company_key}
        ok("POST", "device-server", device, token=installation_token, sign_with=client_key)
        body = {"secret": company_key}
        session = ok("POST", "session-server", body, token=installation_token, sign_with=client_key)
        assert [next(iter(item)) for item in session["Response"]] == ["Id", "Token", "UserCompany"]
