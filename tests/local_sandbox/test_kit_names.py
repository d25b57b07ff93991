"""The kit's ``operation_ids`` (bunq's naming of a family's operations) and ``Narrowed`` (one table, two families)."""

from __future__ import annotations

import pytest

from bunq_helpers.local_sandbox.kit import Narrowed, operation, operation_ids
from tests.conftest import Raw


def test_operation_ids_follow_bunqs_naming_and_name_real_operations() -> None:
    ids = operation_ids("ExportRib", "User_MonetaryAccount", "list read delete")
    assert ids == {
        "list_op": "List_all_ExportRib_for_User_MonetaryAccount",
        "read_op": "READ_ExportRib_for_User_MonetaryAccount",
        "delete_op": "DELETE_ExportRib_for_User_MonetaryAccount",
    }
    assert all(operation(name).operation_id == name for name in ids.values())
    assert set(operation_ids("Company")) == {"list_op", "read_op", "create_op", "update_op", "delete_op"}
    with pytest.raises(ValueError, match="no operation"):
        operation(operation_ids("Company", kinds="delete")["delete_op"])  # bunq deletes no company
    with pytest.raises(KeyError):
        operation_ids("Company", kinds="patch")


def test_narrowed_rows_of_the_other_type_are_bunqs_404(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    user = f"user/{done.user_id}"
    made = raw.call(
        "POST", f"{user}/monetary-account-external-savings", {"service": "ABN"}, token=done.session_token
    )
    savings_id = made.json()["Response"][0]["Id"]["id"]
    assert (
        raw.call("GET", f"{user}/monetary-account-external", token=done.session_token).json()["Response"]
        == []
    )
    wrong = raw.call("PUT", f"{user}/monetary-account-external/{savings_id}", {}, token=done.session_token)
    assert wrong.status_code == 404 and "MonetaryAccountExternal with id" in wrong.text
    narrowed = Narrowed("external_accounts", "MonetaryAccountExternal", "MonetaryAccountExternal")
    assert narrowed.type_ == "MonetaryAccountExternal" and narrowed.table == "external_accounts"
