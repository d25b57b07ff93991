"""certificate-pinned: PEM chains a user pins, checked, listed, read and deleted."""

from __future__ import annotations

import trustme

from tests.conftest import Raw, error_of


def test_a_pinned_chain_is_listed_read_and_deleted(raw: Raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    path = f"user/{done.user_id}/certificate-pinned"
    pem = trustme.CA().cert_pem.bytes().decode()
    made = raw.call("POST", path, {"certificate_chain": [{"certificate": pem}]}, token=done.session_token)
    assert made.status_code == 200, made.text
    pin_id = made.json()["Response"][0]["Id"]["id"]
    listed = raw.call("GET", path, token=done.session_token).json()["Response"]
    assert [item["CertificatePinned"]["id"] for item in listed] == [pin_id]
    read = raw.call("GET", f"{path}/{pin_id}", token=done.session_token).json()["Response"][0]
    assert read["CertificatePinned"]["certificate_chain"] == pem.strip()
    theirs = raw.call("GET", f"user/{other.user_id}/certificate-pinned/{pin_id}", token=other.session_token)
    assert theirs.status_code == 404 and "CertificatePinned" in error_of(theirs)
    assert raw.call("DELETE", f"{path}/{pin_id}", token=done.session_token).status_code == 200
    assert raw.call("GET", path, token=done.session_token).json()["Response"] == []


def test_a_chain_that_is_not_pem_is_refused(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    path = f"user/{done.user_id}/certificate-pinned"
    bad = raw.call("POST", path, {"certificate_chain": [{"certificate": "hello"}]}, token=done.session_token)
    assert bad.status_code == 400 and "certificate_chain[0].certificate" in error_of(bad)
    empty = raw.call("POST", path, {"certificate_chain": []}, token=done.session_token)
    assert empty.status_code == 400 and "at least one" in error_of(empty)
