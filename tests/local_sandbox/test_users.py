"""The user endpoints: user-person and user-company read and PUT, and that user/{id} keeps its shape."""

from __future__ import annotations

from tests.helpers import Handshake, Raw, error_of


def _company(raw: Raw, key) -> Handshake:
    api_key = raw.sandbox_user(company=True)
    installation_id, installation_token, server_key = raw.install(key)
    raw.call("POST", "device-server", {"description": "t", "secret": api_key}, token=installation_token)
    session = raw.call("POST", "session-server", {"secret": api_key}, token=installation_token, sign_with=key)
    items = session.json()["Response"]
    return Handshake(
        api_key,
        key,
        installation_id,
        installation_token,
        server_key,
        0,
        items[1]["Token"]["token"],
        items[2]["UserCompany"]["id"],
        0,
    )


def test_user_person_reads_like_user_and_put_changes_it(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    before = raw.call("GET", f"user/{done.user_id}", token=done.session_token).json()["Response"][0][
        "UserPerson"
    ]
    person = raw.call("GET", f"user-person/{done.user_id}", token=done.session_token)
    assert person.status_code == 200
    assert person.json()["Response"] == [{"UserPerson": before}]

    body = {
        "first_name": "Anna",
        "middle_name": "van",
        "public_nick_name": "Annie",
        "address_main": {
            "street": "Kade",
            "house_number": "1",
            "postal_code": "1011 AB",
            "city": "Amsterdam",
            "country": "NL",
        },
        "date_of_birth": "1990-04-02",
        "nationality": "NL",
        "all_nationality": ["NL", "BE"],
        "language": "nl_NL",
        "gender": "FEMALE",
        "session_timeout": 3600,
        "daily_limit_without_confirmation_login": {"value": "100.00", "currency": "EUR"},
    }
    put = raw.call("PUT", f"user-person/{done.user_id}", body, token=done.session_token)
    assert put.status_code == 200 and put.json()["Response"] == [{"Id": {"id": done.user_id}}]

    after = raw.call("GET", f"user-person/{done.user_id}", token=done.session_token).json()["Response"][0][
        "UserPerson"
    ]
    assert (
        after["first_name"] == "Anna"
        and after["middle_name"] == "van"
        and after["last_name"] == before["last_name"]
    )
    assert after["legal_name"] == f"Anna {before['last_name']}" and after["public_nick_name"] == "Annie"
    assert after["address_main"]["city"] == "Amsterdam" and after["date_of_birth"] == "1990-04-02"
    assert (
        after["all_nationality"] == ["NL", "BE"]
        and after["language"] == "nl_NL"
        and after["gender"] == "FEMALE"
    )
    assert after["session_timeout"] == 3600
    assert after["daily_limit_without_confirmation_login"] == {"value": "100.00", "currency": "EUR"}
    assert after["updated"] >= before["updated"] and after["created"] == before["created"]
    # user/{id} shows the same object, in the same wrapper
    assert raw.call("GET", f"user/{done.user_id}", token=done.session_token).json()["Response"] == [
        {"UserPerson": after}
    ]

    # the new timeout is what the next session gets
    again = raw.open_session(done).json()["Response"][2]["UserPerson"]
    assert again["session_timeout"] == 3600 and again["first_name"] == "Anna"


def test_user_company_read_put_and_names(raw: Raw, client_key) -> None:
    company = _company(raw, client_key)
    read = raw.call("GET", f"user-company/{company.user_id}", token=company.session_token)
    assert read.status_code == 200 and read.json()["Response"][0]["UserCompany"]["id"] == company.user_id
    put = raw.call(
        "PUT",
        f"user-company/{company.user_id}",
        {
            "name": "Gracht Goods B.V.",
            "chamber_of_commerce_number": "12345678",
            "country": "NL",
            "ubo": [{"name": "Jan", "date_of_birth": "1970-01-01", "nationality": "NL"}],
        },
        token=company.session_token,
    )
    assert put.status_code == 200, put.text
    data = raw.call("GET", f"user-company/{company.user_id}", token=company.session_token).json()["Response"][
        0
    ]["UserCompany"]
    assert data["name"] == data["display_name"] == "Gracht Goods B.V."
    assert data["chamber_of_commerce_number"] == "12345678" and data["ubo"][0]["name"] == "Jan"
    names = raw.call("GET", f"user-company/{company.user_id}/name", token=company.session_token).json()
    assert names["Response"] == [{"UserCompanyNameArray": {"name_array": ["Gracht Goods B.V."]}}]
    # a company is not a person, and the other way round
    assert raw.call("GET", f"user-person/{company.user_id}", token=company.session_token).status_code == 404
    person = raw.handshake(client_key)
    assert raw.call("GET", f"user-company/{person.user_id}", token=person.session_token).status_code == 404


def test_put_refuses_what_bunq_refuses(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    other = raw.handshake(client_key)
    path = f"user-person/{done.user_id}"
    for body, message in [
        ({"status": "BLOCKED"}, '"status" cannot be updated'),
        ({"sub_status": "SUBMIT"}, '"sub_status" can only be set'),
        ({"first_name": ""}, '"first_name" must not be empty'),
        ({"first_name": 5}, '"first_name" must be a string'),
        ({"session_timeout": "3600"}, '"session_timeout" must be a whole number'),
        ({"session_timeout": 10}, '"session_timeout" must be from 60 to 604800'),
        ({"date_of_birth": "2999-01-01"}, '"date_of_birth" must be a date in the past'),
        ({"date_of_birth": "1990-02-30"}, '"date_of_birth" is not a real date'),
        ({"language": "english"}, '"language" must look like "en_US"'),
        ({"gender": "X"}, '"gender" must be one of MALE, FEMALE, UNKNOWN'),
        ({"address_main": {"street": "Kade"}}, '"address_main.house_number" is required'),
        (
            {
                "address_main": {
                    "street": "K",
                    "house_number": "1",
                    "postal_code": "1",
                    "city": "A",
                    "country": "Holland",
                }
            },
            '"address_main.country" must be a country code',
        ),
        ({"avatar_uuid": "x"}, '"avatar_uuid" is not emulated'),
        (
            {"daily_limit_without_confirmation_login": {"value": "٥", "currency": "EUR"}},
            "must be a string amount",
        ),
    ]:
        response = raw.call("PUT", path, body, token=done.session_token)
        assert response.status_code == 400 and message in error_of(response), (body, response.text)
    theirs = raw.call(
        "PUT", f"user-person/{other.user_id}", {"first_name": "Mallory"}, token=done.session_token
    )
    assert theirs.status_code == 404 and "UserPerson with id" in error_of(theirs)
    data = raw.call("GET", f"user-person/{other.user_id}", token=other.session_token).json()["Response"][0]
    assert data["UserPerson"]["first_name"] != "Mallory"
