"""Run INSIDE the bunq-sdk virtual environment: bunq's SDK through accounts, users, events, cards, statements.

    python sdk_accounts_tour.py BASE_URL CA_FILE API_KEY

Pointed at the local sandbox as sdk_script.py is. Prints one JSON line with what the SDK read back;
any exception (a shape the SDK cannot read, an error answer) ends it with a traceback instead.
"""

import datetime
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")  # the SDK warns about every field it does not model


def _kind(account) -> list:
    """[wrapper, id] of a MonetaryAccount (this SDK keeps each kind in an attribute of its own name)."""
    for name, value in vars(account).items():
        if name.startswith("_MonetaryAccount") and value is not None:
            inner = value if isinstance(value, dict) else vars(value)
            return [name[1:], inner.get("_id_", inner.get("id"))]
    return ["?", None]


def main() -> None:
    base_url, ca_file, api_key = sys.argv[1:4]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated import endpoint as e
    from bunq.sdk.model.generated.object_ import AmountObject, CardPinAssignmentObject

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    context = ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "bunq-sdk accounts tour")
    BunqContext.load_api_context(context)
    seen = {}
    main_id = BunqContext.user_context().primary_monetary_account.id_

    bank_id = e.MonetaryAccountBankApiObject.create("EUR", "Holidays", AmountObject("200.00", "EUR")).value
    e.MonetaryAccountBankApiObject.update(
        bank_id, description="Summer", daily_limit=AmountObject("300.00", "EUR")
    )
    bank = e.MonetaryAccountBankApiObject.get(bank_id).value
    seen["bank"] = [bank.id_, bank.description, bank.daily_limit.value, bank.status]

    savings_id = e.MonetaryAccountSavingsApiObject.create(
        "EUR", "Bike", savings_goal=AmountObject("50.00", "EUR")
    ).value
    savings = e.MonetaryAccountSavingsApiObject.get(savings_id).value
    seen["savings"] = [savings.id_, savings.savings_goal.value, savings.savings_goal_progress]
    seen["savings_listed"] = [a.id_ for a in e.MonetaryAccountSavingsApiObject.list().value]
    seen["all_accounts"] = [_kind(account) for account in e.MonetaryAccountApiObject.list().value]
    seen["one_account"] = _kind(e.MonetaryAccountApiObject.get(savings_id).value)

    e.MonetaryAccountBankApiObject.update(
        bank_id,
        status="CANCELLED",
        sub_status="REDEMPTION_VOLUNTARY",
        reason="OTHER",
        reason_description="tour",
    )
    seen["closed"] = e.MonetaryAccountBankApiObject.get(bank_id).value.status

    user_id = BunqContext.user_context().user_id
    e.UserPersonApiObject.update(public_nick_name="Tourist", session_timeout=3600)
    person = e.UserPersonApiObject.get().value
    seen["person"] = [person.id_ == user_id, person.public_nick_name, person.session_timeout]

    names = e.CardNameApiObject.list().value[0].possible_card_name_array
    seen["cards_before"] = len(e.CardApiObject.list().value)
    pin = CardPinAssignmentObject(type_="PRIMARY", pin_code="4831", monetary_account_id=main_id)
    card = e.CardDebitApiObject.create(
        "Tour card", names[0], "MASTERCARD", "MASTERCARD_DEBIT", pin_code_assignment=[pin]
    ).value
    updated = e.CardApiObject.update(
        card.id_, card_limit=AmountObject("75.00", "EUR"), status="DEACTIVATED"
    ).value
    seen["card"] = [card.id_, card.second_line, updated.card_limit.value, updated.status]
    seen["cards_listed"] = [c.id_ for c in e.CardApiObject.list().value]

    today = datetime.date.today()
    statement_id = e.ExportStatementApiObject.create(
        "CSV", str(today - datetime.timedelta(days=30)), str(today), regional_format="EUROPEAN"
    ).value
    statement = e.ExportStatementApiObject.get(statement_id).value
    content = e.ExportStatementContentApiObject.list(statement_id).value
    seen["statement"] = [
        statement.statement_format,
        statement.status,
        content.decode("utf-8").splitlines()[0],
    ]
    e.ExportStatementApiObject.delete(statement_id)
    seen["statements_left"] = len(e.ExportStatementApiObject.list().value)

    events = e.EventApiObject.list(params={"count": "200"}).value
    seen["events"] = [[ev.action, type(ev.object_.get_referenced_object()).__name__] for ev in events]
    seen["event_read"] = e.EventApiObject.get(events[0].id_).value.id_ == events[0].id_
    seen["main_still_primary"] = BunqContext.user_context().primary_monetary_account.id_ == main_id
    print(json.dumps(seen))


main()
