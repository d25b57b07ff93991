"""The Permitted IP endpoints, and that they really govern who may open a session."""

from __future__ import annotations

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw, error_of


def test_list_add_deactivate_and_their_effect(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)  # bound to 127.0.0.1 only
    base = f"user/{done.user_id}/credential-password-ip"
    [credential] = raw.call("GET", base, token=done.session_token).json()["Response"]
    cred = credential["CredentialPasswordIp"]
    assert cred["status"] == "ACTIVE" and cred["permitted_device"]["ip"] == "127.0.0.1"
    ips = raw.call("GET", f"{base}/{cred['id']}/ip", token=done.session_token).json()["Response"]
    assert ips == [{"PermittedIp": {"ip": "127.0.0.1", "status": "ACTIVE"}}]  # bunq's fields: no id

    elsewhere = Raw(sandbox, source="127.0.0.2")

    assert elsewhere.open_session(done).status_code == 400
    added = raw.call("POST", f"{base}/{cred['id']}/ip", {"ip": "127.0.0.2"}, token=done.session_token)
    assert added.status_code == 200
    ip_id = added.json()["Response"][0]["Id"]["id"]
    assert elsewhere.open_session(done).status_code == 200
    off = raw.call("PUT", f"{base}/{cred['id']}/ip/{ip_id}", {"status": "INACTIVE"}, token=done.session_token)
    assert off.status_code == 200
    assert (
        raw.call("GET", f"{base}/{cred['id']}/ip/{ip_id}", token=done.session_token).json()["Response"][0][
            "PermittedIp"
        ]["status"]
        == "INACTIVE"
    )
    assert elsewhere.open_session(done).status_code == 400


def test_rules_bunq_documents(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    base = f"user/{done.user_id}/credential-password-ip"
    cred_id = raw.call("GET", base, token=done.session_token).json()["Response"][0]["CredentialPasswordIp"][
        "id"
    ]
    wildcard = raw.call("POST", f"{base}/{cred_id}/ip", {"ip": "*"}, token=done.session_token)
    assert wildcard.status_code == 400 and "wildcard" in error_of(wildcard)
    duplicate = raw.call("POST", f"{base}/{cred_id}/ip", {"ip": "127.0.0.1"}, token=done.session_token)
    assert duplicate.status_code == 400 and "already listed" in error_of(duplicate)
    added = raw.call("POST", f"{base}/{cred_id}/ip", {"ip": "10.0.0.2"}, token=done.session_token)
    ip_id = added.json()["Response"][0]["Id"]["id"]
    edit = raw.call("PUT", f"{base}/{cred_id}/ip/{ip_id}", {"ip": "10.0.0.1"}, token=done.session_token)
    assert edit.status_code == 400 and "INACTIVE and add a new one" in error_of(edit)
    other_user = raw.call("GET", f"user/{done.user_id + 1}/credential-password-ip", token=done.session_token)
    assert other_user.status_code == 404
