"""The kit: operations declared by bunq's id, bodies checked against the request schema, owner chains,
the divergence table, and the ``strict_answers`` option."""

from __future__ import annotations

import pytest

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.app import SandboxApp
from bunq_helpers.local_sandbox.bunq_errors import BunqError
from bunq_helpers.local_sandbox.divergences import REQUIRED_BUT_DEFAULTED
from bunq_helpers.local_sandbox.endpoints import ROUTES
from bunq_helpers.local_sandbox.kit import check_body, op, operation, param_name
from bunq_helpers.local_sandbox.routing import Auth, Reply
from tests.helpers import Raw, error_of

IP_CREATE = "CREATE_Ip_for_User_CredentialPasswordIp"


def _nothing(*_args) -> Reply:
    return Reply([])


def test_an_operation_id_gives_method_path_names_and_auth() -> None:
    route = op("READ_Ip_for_User_CredentialPasswordIp", _nothing, item="ip_id")
    assert (route.method, route.template) == (
        "GET",
        "user/{user_id}/credential-password-ip/{credential_id}/ip/{ip_id}",
    )
    assert (
        route.auth is Auth.SESSION and route.operation.operation_id == "READ_Ip_for_User_CredentialPasswordIp"
    )
    assert route.match("user/1/credential-password-ip/2/ip/3") == {
        "user_id": 1,
        "credential_id": 2,
        "ip_id": 3,
    }
    assert (
        param_name("export-ribID") == "export_rib_id"
        and param_name("attachment-publicUUID") == "attachment_uuid"
    )


def test_a_misspelt_operation_id_fails_at_import_not_at_run_time() -> None:
    with pytest.raises(ValueError, match="no operation 'READ_Ip_for_User'"):
        op("READ_Ip_for_User", _nothing)


def test_every_route_but_the_generated_ones_comes_from_the_kit() -> None:
    declared = [route for route in ROUTES if route.operation is not None]
    assert len(declared) >= 100
    assert all(operation(route.operation.operation_id) is route.operation for route in declared)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ip": "10.0.0.1", "colour": "red"}, 'Field "colour" is not one of POST /user/{userID}/credential'),
        ({"status": "ACTIVE"}, 'Field "ip" is required.'),
        ({"ip": None}, 'Field "ip" must be a string, not null.'),
        ({"ip": 10}, 'Field "ip" must be a string, not number.'),
        ({"ip": "10.0.0.1", "status": True}, 'Field "status" must be a string, not boolean.'),
    ],
)
def test_the_body_is_checked_against_the_request_schema(body: dict, message: str) -> None:
    with pytest.raises(BunqError) as caught:
        check_body(operation(IP_CREATE), body)
    assert caught.value.status == 400 and caught.value.description.startswith(message)


def test_types_and_shapes_keep_the_handlers_words() -> None:
    payment = operation("CREATE_Payment_for_User_MonetaryAccount")
    cases = [
        ({"amount": "1.00"}, 'Field "amount" must be an object with "value" and "currency".'),
        ({"counterparty_alias": []}, 'Field "counterparty_alias" must be an object with "type" and "value".'),
    ]
    required = {"amount": {"value": "1", "currency": "EUR"}, "counterparty_alias": {}, "description": "d"}
    for change, message in cases:
        with pytest.raises(BunqError, match=message.replace("(", r"\(")):
            check_body(payment, {**required, **change})
    check_body(payment, required)  # fits: no error


def test_a_field_the_spec_requires_but_bunq_defaults_is_listed_with_its_source() -> None:
    inquiry = operation("CREATE_RequestInquiry_for_User_MonetaryAccount")
    assert "allow_bunqme" in inquiry.request["required"]
    assert REQUIRED_BUT_DEFAULTED[inquiry.operation_id]["allow_bunqme"]  # a source, not an empty string
    body = {
        "amount_inquired": {"value": "1.00", "currency": "EUR"},
        "counterparty_alias": {},
        "description": "d",
    }
    check_body(inquiry, body)


def test_an_unknown_field_is_refused_over_https_before_the_handler_runs(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    base = f"user/{done.user_id}/credential-password-ip"
    cred_id = raw.call("GET", base, token=done.session_token).json()["Response"][0]["CredentialPasswordIp"][
        "id"
    ]
    response = raw.call(
        "POST", f"{base}/{cred_id}/ip", {"ip": "10.0.0.9", "ipp": "x"}, token=done.session_token
    )
    assert response.status_code == 400 and 'Field "ipp" is not one of' in error_of(response)
    assert "ip, status" in error_of(response)  # the fields bunq has, so the fix is plain
    ips = raw.call("GET", f"{base}/{cred_id}/ip", token=done.session_token).json()["Response"]
    assert len(ips) == 1  # nothing was added


def test_strict_answers_turns_an_answer_outside_the_spec_into_a_500(
    tmp_path, raw_for, client_key, monkeypatch
) -> None:
    from bunq_helpers.local_sandbox.endpoints import permitted_ips

    plain = permitted_ips.credential_object

    def bigger(row, device):
        return {**plain(row, device), "colour": "red"}

    monkeypatch.setattr(permitted_ips, "credential_object", bigger)
    monkeypatch.setattr(SandboxApp, "answers_seen", [])  # the tests' own watch would flag it as well
    for strict, status in ((True, 500), (False, 200)):
        with LocalSandbox(tmp_path / str(strict), options=SandboxOptions(strict_answers=strict)) as sandbox:
            raw = raw_for(sandbox)
            done = raw.handshake(client_key)
            base = f"user/{done.user_id}/credential-password-ip"
            response = raw.call("GET", base, token=done.session_token)
            assert response.status_code == status
            if strict:
                assert "CredentialPasswordIp.colour: field not in bunq's spec" in error_of(response)


@pytest.fixture
def raw_for():
    return Raw


def test_a_plain_family_declared_as_data_lists_reads_creates_and_deletes(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    base = f"user/{done.user_id}/export-annual-overview"
    created = raw.call("POST", base, {"year": 2025}, token=done.session_token)
    assert created.status_code == 200, created.text
    overview_id = created.json()["Response"][0]["Id"]["id"]
    [item] = raw.call("GET", f"{base}/{overview_id}", token=done.session_token).json()["Response"]
    assert item["ExportAnnualOverview"]["year"] == 2025 and item["ExportAnnualOverview"]["id"] == overview_id
    assert set(item["ExportAnnualOverview"]) == {"id", "created", "updated", "year"}
    listed = raw.call("GET", base, token=done.session_token).json()
    assert [i["ExportAnnualOverview"]["id"] for i in listed["Response"]] == [overview_id]
    refused = raw.call("POST", base, {"year": "2025"}, token=done.session_token)
    assert (refused.status_code, error_of(refused)) == (
        400,
        'Field "year" must be a whole number, not string.',
    )
    other = raw.call(
        "GET", f"user/{done.user_id + 1}/export-annual-overview/{overview_id}", token=done.session_token
    )
    assert other.status_code == 404
    assert raw.call("DELETE", f"{base}/{overview_id}", token=done.session_token).json() == {"Response": []}
    gone = raw.call("GET", f"{base}/{overview_id}", token=done.session_token)
    assert (gone.status_code, error_of(gone)) == (
        404,
        f"ExportAnnualOverview with id {overview_id} not found.",
    )
