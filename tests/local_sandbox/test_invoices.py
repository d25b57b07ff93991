"""bunq's invoices for a sandbox user: none yet (bunq bills monthly), so empty lists and bunq's 404s."""

from __future__ import annotations

from tests.helpers import Raw, error_of


def test_a_sandbox_user_has_no_invoice_to_list_read_or_export(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    for path in (
        f"user/{done.user_id}/invoice",
        f"user/{done.user_id}/monetary-account/{done.account_id}/invoice",
    ):
        listed = raw.call("GET", path, token=done.session_token)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["Response"] == [] and body["Pagination"]["future_url"] is not None
    for path in (
        f"user/{done.user_id}/invoice/7",
        f"user/{done.user_id}/invoice/7/pdf-content",
        f"user/{done.user_id}/monetary-account/{done.account_id}/invoice/7",
    ):
        answer = raw.call("GET", path, token=done.session_token)
        assert answer.status_code == 404 and "Invoice" in error_of(answer) and "7" in error_of(answer)


def test_another_users_invoices_are_not_found(raw: Raw, client_key) -> None:
    mine, theirs = raw.handshake(client_key), raw.handshake(client_key)
    for path in (
        f"user/{theirs.user_id}/invoice",
        f"user/{theirs.user_id}/invoice/1/pdf-content",
        f"user/{mine.user_id}/monetary-account/{theirs.account_id}/invoice",
    ):
        answer = raw.call("GET", path, token=mine.session_token)
        assert answer.status_code == 404, answer.text
        assert "Invoice" not in error_of(answer)  # the user or account is what is not found
