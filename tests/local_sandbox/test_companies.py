"""company: a person registers companies; each is a UserCompany only its person sees."""

from __future__ import annotations

from tests.conftest import Raw, error_of

ADDRESS = {
    "street": "Naritaweg",
    "house_number": "131",
    "postal_code": "1043 BS",
    "city": "Amsterdam",
    "country": "NL",
}
BODY = {
    "name": "Bakery B.V.",
    "country": "NL",
    "legal_form": "BV",
    "subscription_type": "BUSINESS",
    "address_main": ADDRESS,
    "address_postal": ADDRESS,
    "chamber_of_commerce_number": "12345678",
}


def test_a_company_is_created_listed_and_updated(raw: Raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    path = f"user/{done.user_id}/company"
    made = raw.call("POST", path, BODY, token=done.session_token)
    assert made.status_code == 200, made.text
    company_id = made.json()["Response"][0]["Id"]["id"]
    [item] = raw.call("GET", path, token=done.session_token).json()["Response"]
    company = item["UserCompany"]
    assert (company["id"], company["name"], company["display_name"], company["legal_form"]) == (
        company_id,
        "Bakery B.V.",
        "Bakery B.V.",
        "BV",
    )
    assert company["address_main"] == ADDRESS and company["chamber_of_commerce_number"] == "12345678"
    renamed = raw.call(
        "PUT", f"{path}/{company_id}", {**BODY, "name": "Bakery Two B.V."}, token=done.session_token
    )
    assert renamed.status_code == 200, renamed.text
    read = raw.call("GET", f"{path}/{company_id}", token=done.session_token).json()["Response"][0][
        "UserCompany"
    ]
    assert read["name"] == "Bakery Two B.V."
    theirs = raw.call("GET", f"user/{other.user_id}/company/{company_id}", token=other.session_token)
    assert theirs.status_code == 404 and "Company" in error_of(theirs)


def test_an_address_without_a_city_is_refused(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    body = {**BODY, "address_postal": {**ADDRESS, "city": ""}}
    answer = raw.call("POST", f"user/{done.user_id}/company", body, token=done.session_token)
    assert answer.status_code == 400 and "address_postal" in error_of(answer) and "city" in error_of(answer)
    assert (
        raw.call("POST", f"user/{done.user_id}/company", {"name": "x"}, token=done.session_token).status_code
        == 400
    )
