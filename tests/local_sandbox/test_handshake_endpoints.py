"""The handshake endpoints: bunq's shapes, order, tolerance of what real clients send, and its errors."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import Raw, error_of

CREDENTIALS = "User credentials are incorrect. Incorrect API key or IP address."


def test_sandbox_user_answers_an_api_key_for_any_empty_body(raw: Raw) -> None:
    for body in (None, b"", b"{}"):
        response = raw.call("POST", "sandbox-user-person", body)
        assert response.status_code == 200
        [item] = response.json()["Response"]
        assert item["ApiKey"]["api_key"].startswith("sandbox_") and len(item["ApiKey"]["api_key"]) == 64


def test_installation_answers_id_token_server_key_in_order(raw: Raw, client_key) -> None:
    response = raw.call("POST", "installation", {"client_public_key": keys.public_key_to_pem(client_key)})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    items = response.json()["Response"]
    assert [next(iter(item)) for item in items] == ["Id", "Token", "ServerPublicKey"]
    token = items[1]["Token"]
    assert set(token) == {"id", "created", "updated", "token"} and len(token["token"]) == 64
    server_key = keys.load_public_key(items[2]["ServerPublicKey"]["server_public_key"])
    assert signing.verify_body(server_key, response.content, response.headers["X-Bunq-Server-Signature"])
    assert b"/" not in response.content.replace(b"\\/", b"")  # every '/' escaped, as bunq's encoder does


def test_slashes_are_escaped_where_an_answer_always_has_one(raw: Raw, client_key) -> None:
    """A PEM holds a '/' only by chance (0.2% of keys have none); a list's Pagination URLs always do."""
    done = raw.handshake(client_key)
    response = raw.call("GET", "device-server", token=done.session_token)
    assert response.status_code == 200
    assert b'"future_url":"\\/v1\\/device-server?count=10' in response.content
    assert b"/" not in response.content.replace(b"\\/", b"")
    assert response.json()["Pagination"]["future_url"].startswith("/v1/device-server?")


@pytest.mark.parametrize(
    "variant",
    [lambda p: p, lambda p: p + "\n", lambda p: p.replace("\n", "\r\n")],
    ids=["no-trailing-newline", "trailing-newline", "crlf"],
)
def test_installation_accepts_the_pem_forms_clients_send(raw: Raw, client_key, variant) -> None:
    pem = variant(keys.public_key_to_pem(client_key))
    assert raw.call("POST", "installation", {"client_public_key": pem}).status_code == 200


def _key_with_modulus_bits(bits: int) -> keys.PrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    assert key.key_size == bits and key.public_key().public_numbers().n.bit_length() == bits
    return key


def test_a_2047_bit_key_as_jsrsasign_makes_them_does_the_whole_handshake(raw: Raw) -> None:
    """bunq's Postman collection asks jsrsasign for 2048 bits and gets a 2047-bit modulus 39% of the
    time; bunq takes those keys, so installation, the device and a signed session-server must too."""
    key = _key_with_modulus_bits(2047)
    done = raw.handshake(key)
    assert raw.call("GET", "user", token=done.session_token).status_code == 200
    forged = raw.call(
        "POST",
        "session-server",
        {"secret": done.api_key},
        token=done.installation_token,
        headers={"X-Bunq-Client-Signature": signing.sign_body(key, b"another body")},
    )
    assert (forged.status_code, error_of(forged)) == (400, "The request signature is invalid.")


@pytest.mark.parametrize("bits", [2046, 1024])
def test_keys_under_2047_bits_are_refused_with_bunqs_400(raw: Raw, bits: int) -> None:
    pem = keys.public_key_to_pem(_key_with_modulus_bits(bits).public_key())
    response = raw.call("POST", "installation", {"client_public_key": pem})
    assert response.status_code == 400
    assert error_of(response) == (
        f'Field "client_public_key" is not usable: The RSA key has {bits} bits; bunq requires 2048-bit '
        "keys. Generate a new one with generate_private_key()."
    )


def test_postman_style_device_server_with_empty_signature_and_tabs(raw: Raw, client_key) -> None:
    api_key = raw.sandbox_user()
    _, token, _ = raw.install(client_key)
    body = '{\n\t"description": "Postman",\n\t"secret": "API_KEY",\n\t"permitted_ips": ["*"]\n}'.replace(
        "API_KEY", api_key
    )
    response = raw.call(
        "POST",
        "device-server",
        body,
        token=token,
        headers={
            "X-Bunq-Client-Signature": "",
            "Content-Type": "application/json",
            "X-Bunq-Client-Request-Id": "same",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Bunq-Client-Request-Id"] == "same"
    assert list(response.json()["Response"][0]) == ["Id"]


def test_session_server_answers_id_token_user(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key, permitted_ips=["*"])
    response = raw.call("GET", "user", token=done.session_token)
    [wrapper] = response.json()["Response"]
    user = wrapper["UserPerson"]
    assert user["id"] == done.user_id and user["session_timeout"] == 604_800


def test_company_key_gives_user_company(raw: Raw, client_key) -> None:
    api_key = raw.sandbox_user(company=True)
    _, token, _ = raw.install(client_key)
    raw.call("POST", "device-server", {"description": "c", "secret": api_key}, token=token)
    response = raw.call("POST", "session-server", {"secret": api_key}, token=token, sign_with=client_key)
    assert [next(iter(i)) for i in response.json()["Response"]] == ["Id", "Token", "UserCompany"]


def test_wrong_api_key_is_refused_with_bunqs_words(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    wrong = "sandbox_" + "0" * 56
    response = raw.call(
        "POST", "session-server", {"secret": wrong}, token=done.installation_token, sign_with=client_key
    )
    assert response.status_code == 400 and error_of(response) == CREDENTIALS
    response = raw.call(
        "POST", "device-server", {"description": "d", "secret": wrong}, token=done.installation_token
    )
    assert response.status_code == 400 and error_of(response) == CREDENTIALS


def test_key_used_from_another_ip_is_refused(sandbox: LocalSandbox, raw: Raw, client_key, other_key) -> None:
    done = raw.handshake(client_key)  # no permitted_ips: bound to 127.0.0.1
    elsewhere = Raw(sandbox, source="127.0.0.2")
    response = elsewhere.open_session(done)
    assert response.status_code == 400 and error_of(response) == CREDENTIALS
    # With the wildcard, any IP may open a session.
    wildcard = raw.handshake(other_key, permitted_ips=["*"])
    response = elsewhere.call(
        "POST",
        "session-server",
        {"secret": wildcard.api_key},
        token=wildcard.installation_token,
        sign_with=wildcard.key,
    )
    assert response.status_code == 200


def test_permitted_ips_that_exclude_the_caller_lock_it_out(raw: Raw, client_key) -> None:
    api_key = raw.sandbox_user()
    _, token, _ = raw.install(client_key)
    assert (
        raw.call(
            "POST",
            "device-server",
            {"description": "d", "secret": api_key, "permitted_ips": ["10.0.0.1"]},
            token=token,
        ).status_code
        == 200
    )
    response = raw.call("POST", "session-server", {"secret": api_key}, token=token, sign_with=client_key)
    assert error_of(response) == CREDENTIALS  # what bunq/sdk_python#147 reported


def test_session_server_signature_missing_forged_and_wrong_key(raw: Raw, client_key, other_key) -> None:
    done = raw.handshake(client_key)
    body = json.dumps({"secret": done.api_key}).encode()
    missing = raw.call("POST", "session-server", body, token=done.installation_token)
    assert missing.status_code == 466
    assert (
        error_of(missing)
        == "For this operation a request signature is required. Check the urls for more information."
    )
    empty = raw.call(
        "POST", "session-server", body, token=done.installation_token, headers={"X-Bunq-Client-Signature": ""}
    )
    assert empty.status_code == 466
    for signature in (
        signing.sign_body(other_key, body),
        signing.sign_body(client_key, body + b" "),
        "bm90IGEgc2lnbmF0dXJl",
        "%%%",
    ):
        forged = raw.call(
            "POST",
            "session-server",
            body,
            token=done.installation_token,
            headers={"X-Bunq-Client-Signature": signature},
        )
        assert forged.status_code == 400 and error_of(forged) == "The request signature is invalid."


def test_session_server_with_a_session_token_says_the_token_already_has_a_session(
    raw: Raw, client_key
) -> None:
    """bunq's text, which bunqJSClient turns into INSTALLATION_HAS_SESSION (found by tests/js)."""
    done = raw.handshake(client_key)
    again = raw.call(
        "POST", "session-server", {"secret": done.api_key}, token=done.session_token, sign_with=client_key
    )
    assert again.status_code == 400
    assert error_of(again) == "Authentication token already has a user session."
    # ... and the session it already has is untouched.
    assert raw.call("GET", f"user/{done.user_id}", token=done.session_token).status_code == 200


def test_tokens_only_work_where_bunq_accepts_them(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    device_body = {"description": "d", "secret": done.api_key}
    response = raw.call("POST", "device-server", device_body, token=done.session_token)
    assert response.status_code == 401 and error_of(response) == "Insufficient authorisation."
    response = raw.call("GET", "user", token=done.installation_token)
    assert response.status_code == 401 and error_of(response) == "Insufficient authorisation."
    for token in (None, "", "f" * 64):
        response = raw.call("GET", "user", token=token)
        assert response.status_code == 401


def test_logout_ends_the_session(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    response = raw.call("DELETE", "session/0", token=done.session_token)
    assert response.status_code == 200 and response.json() == {"Response": []}
    assert raw.call("GET", "user", token=done.session_token).status_code == 401


def test_installation_reads_need_a_session(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    assert raw.call("GET", "installation", token=done.session_token).json()["Response"] == [
        {"Id": {"id": done.installation_id}}
    ]
    key = raw.call("GET", f"installation/{done.installation_id}/server-public-key", token=done.session_token)
    assert key.json()["Response"][0]["ServerPublicKey"]["server_public_key"].startswith(
        "-----BEGIN PUBLIC KEY-----"
    )
    assert (
        raw.call("GET", f"installation/{done.installation_id + 1}", token=done.session_token).status_code
        == 404
    )
    devices = raw.call("GET", "device-server", token=done.session_token).json()
    assert devices["Response"][0]["DeviceServer"]["id"] == done.device_id and "Pagination" in devices


def test_nl_language_translates_what_bunq_translates(raw: Raw) -> None:
    response = raw.call("GET", "user", headers={"X-Bunq-Language": "nl_NL"})
    assert response.json()["Error"][0]["error_description_translated"] == "Onvoldoende autorisatie."


def test_strict_mode_verifies_every_signed_call(tmp_path, client_key) -> None:
    with LocalSandbox(tmp_path / "strict", options=SandboxOptions(strict_signatures=True)) as sandbox:
        raw = Raw(sandbox)
        api_key = raw.sandbox_user()
        _, token, _ = raw.install(client_key)
        unsigned = raw.call("POST", "device-server", {"description": "d", "secret": api_key}, token=token)
        assert unsigned.status_code == 466
        signed = raw.call(
            "POST",
            "device-server",
            {"description": "d", "secret": api_key},
            token=token,
            sign_with=client_key,
        )
        assert signed.status_code == 200
