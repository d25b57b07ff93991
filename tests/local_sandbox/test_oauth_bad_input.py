"""Bad input for OAuth and PSD2, sent for real over HTTPS: the API's endpoints answer bunq's error shape
and change nothing; the page answers HTML with the reason and never redirects; the token endpoint
answers an OAuth error. Never a 500, never a traceback."""

from __future__ import annotations

import json

import pytest

from bunq_helpers.client.psd2 import credential_body, make_test_certificate
from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw, error_of
from tests.local_sandbox.oauth_world import App, access_token, auth_params, origin, register_app, session_with

CLIENTS = "user/{user}/oauth-client"
URLS = CLIENTS + "/{app}/callback-url"

# (name, method, path, body, status, message part)
API_CASES = [
    ("client: array body", "POST", CLIENTS, b"[1]", 400, "must be a JSON object"),
    ("client: truncated JSON", "POST", CLIENTS, b'{"status": "ACT', 400, "not valid JSON"),
    ("client: status a number", "POST", CLIENTS, {"status": 1}, 400, 'Field "status" must be a string'),
    ("client: unknown status", "POST", CLIENTS, {"status": "PAUSED"}, 400, "ACTIVE, CANCELLED"),
    ("client: display name a list", "POST", CLIENTS, {"display_name": ["x"]}, 400, "must be a string"),
    ("client: display name too long", "POST", CLIENTS, {"display_name": "x" * 300}, 400, "longer than 255"),
    ("client: another user's", "GET", "user/{user}/oauth-client/{other_app}", None, 404, "OauthClient"),
    ("client: update another user's", "PUT", "user/{user}/oauth-client/{other_app}", {}, 404, "OauthClient"),
    ("client: in another user's path", "GET", "user/{other_user}/oauth-client", None, 404, "User"),
    ("client: unknown id", "GET", CLIENTS + "/51999999", None, 404, "OauthClient"),
    ("url: missing", "POST", URLS, {}, 400, 'Field "url" is required'),
    ("url: a number", "POST", URLS, {"url": 7}, 400, "must be a string"),
    ("url: javascript", "POST", URLS, {"url": "javascript:alert(1)"}, 400, "absolute https://"),
    ("url: data", "POST", URLS, {"url": "data:text/html,<b>x</b>"}, 400, "absolute https://"),
    ("url: relative", "POST", URLS, {"url": "/callback"}, 400, "absolute https://"),
    ("url: fragment", "POST", URLS, {"url": "https://a.example/cb#x"}, 400, "without a fragment"),
    ("url: spaces", "POST", URLS, {"url": " https://a.example/cb"}, 400, "spaces"),
    ("url: too long", "POST", URLS, {"url": "https://a.example/" + "x" * 3000}, 400, "longer than 2048"),
    (
        "url: on another user's client",
        "POST",
        "user/{user}/oauth-client/{other_app}/callback-url",
        {"url": "https://a.example/"},
        404,
        "OauthClient",
    ),
    ("url: another client's url", "DELETE", URLS + "/{other_url}", None, 404, "OauthCallbackUrl"),
    ("url: update with nothing", "PUT", URLS + "/{url}", {}, 400, 'Field "url" is required'),
    (
        "psd2: array body",
        "POST",
        "payment-service-provider-credential",
        "psd2-array",
        400,
        "must be a JSON object",
    ),
    (
        "psd2: signature not base64",
        "POST",
        "payment-service-provider-credential",
        "psd2-garbage-signature",
        400,
        "does not verify",
    ),
    (
        "psd2: certificate a number",
        "POST",
        "payment-service-provider-credential",
        "psd2-number",
        400,
        "must be a string",
    ),
    (
        "psd2: two certificates",
        "POST",
        "payment-service-provider-credential",
        "psd2-two",
        400,
        "exactly one certificate",
    ),
    (
        "psd2: read another's",
        "GET",
        "payment-service-provider-credential/55000001",
        None,
        404,
        "PaymentServiceProviderCredential",
    ),
]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    with LocalSandbox(tmp_path_factory.mktemp("oauth-battery")) as running:
        yield running


@pytest.fixture(scope="module")
def raw(sandbox) -> Raw:
    return Raw(sandbox)


@pytest.fixture(scope="module")
def world(raw: Raw, client_key, other_key):
    mine, other = raw.handshake(client_key), raw.handshake(other_key)
    app, other_app = (
        register_app(raw, mine),
        register_app(raw, other, redirect_uri="https://other.example/cb"),
    )
    urls = {}
    for name, who, registered in (("url", mine, app), ("other_url", other, other_app)):
        path = f"user/{who.user_id}/oauth-client/{registered.id}/callback-url"
        listed = raw.call("GET", path, token=who.session_token).json()["Response"]
        urls[name] = listed[0]["OauthCallbackUrl"]["id"]
    return mine, other, app, other_app, urls


def _psd2_body(kind: str, key, installation_token: str) -> bytes:
    if kind == "psd2-array":
        return b"[]"
    certificate = make_test_certificate()
    body = credential_body(certificate, keys.public_key_to_pem(key), installation_token)
    if kind == "psd2-garbage-signature":
        body["client_public_key_signature"] = "%%% not base64 %%%"
    elif kind == "psd2-number":
        body["client_payment_service_provider_certificate"] = 12
    elif kind == "psd2-two":
        body["client_payment_service_provider_certificate"] = certificate.certificate_pem * 2
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "status", "message"), API_CASES, ids=[c[0] for c in API_CASES]
)
def test_api_bad_input_gets_bunqs_error_and_changes_nothing(
    sandbox, raw, world, client_key, name, method, path, body, status, message
):
    mine, other, app, other_app, urls = world
    token = mine.session_token
    if isinstance(body, str):  # a PSD2 case: the installation token, a body made for it
        _, token, _ = raw.install(client_key)
        body = _psd2_body(body, client_key, token)
    if name == "psd2: read another's":
        token = mine.session_token
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    path = path.format(
        user=mine.user_id, other_user=other.user_id, app=app.id, other_app=other_app.id, **urls
    )
    before = sandbox.store.snapshot()
    response = raw.call(method, path, data, token=token)
    assert response.status_code == status, response.text
    assert message in error_of(response)
    assert "Traceback" not in response.text
    assert sandbox.store.snapshot() == before, name


def _page(raw: Raw, method: str, query: str = "", form=None, headers=None):
    return raw.http.request(
        method,
        f"{origin(raw)}/auth{query}",
        data=form,
        headers=headers,
        verify=raw.sandbox.ca_file,
        allow_redirects=False,
        timeout=30,
    )


PAGE_CASES = [
    ("no parameters", "GET", {}, 400, "response_type must be &#x27;code&#x27;"),
    ("forged client", "GET", {"client_id": "<script>x</script>"}, 400, "No OAuth client has this client_id"),
    ("trailing slash", "GET", {"redirect_uri": "{redirect}/"}, 400, "Did you mean"),
    (
        "other app's client with my redirect",
        "GET",
        {"client_id": "{other_client}"},
        400,
        "is not one of this client",
    ),
    ("user id not a number", "POST", {"user_id": "one", "decision": "approve"}, 400, "Choose a user"),
    ("user id huge", "POST", {"user_id": "9" * 40, "decision": "approve"}, 400, "Choose a user"),
    (
        "user id of a UserApiKey",
        "POST",
        {"user_id": "{api_key_user}", "decision": "approve"},
        400,
        "Choose a user",
    ),
    (
        "decision unknown",
        "POST",
        {"user_id": "{user}", "decision": "<b>yes</b>"},
        400,
        "&#x27;&lt;b&gt;yes&lt;/b&gt;&#x27;",
    ),
    (
        "decision empty",
        "POST",
        {"user_id": "{user}", "decision": ""},
        400,
        "decision must be approve or deny",
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "change", "status", "message"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES]
)
def test_page_bad_input_shows_why_and_never_redirects(
    sandbox, raw, world, client_key, name, method, change, status, message
):
    mine, other, app, other_app, _ = world
    values = {"redirect": app.redirect_uri, "other_client": other_app.client_id, "user": str(other.user_id)}
    if "{api_key_user}" in change.values():
        session = session_with(raw, client_key, access_token(raw, app, mine.user_id))
        values["api_key_user"] = str(session.user["id"])
    params = {} if name == "no parameters" else auth_params(app)
    params.update({k: v.format(**values) for k, v in change.items()})
    before = sandbox.store.snapshot()
    if method == "GET":
        from urllib.parse import urlencode

        response = _page(raw, "GET", "?" + urlencode(params))
    else:
        response = _page(raw, "POST", form=params)
    assert response.status_code == status, response.text
    assert "Location" not in response.headers
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert message in response.text
    assert "<script>x" not in response.text and "Traceback" not in response.text
    assert sandbox.store.snapshot() == before


def test_the_page_takes_no_other_method_and_survives_odd_bodies(raw, world) -> None:
    _, _other, app, _, _ = world
    assert _page(raw, "PUT").status_code == 405
    assert _page(raw, "DELETE").status_code == 405
    binary = _page(
        raw,
        "POST",
        form=b"\xff\xfe\x00=\x01&&&==",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 400 and "Location" not in binary.headers
    state = '"><script>alert(1)</script>'
    shown = _page(
        raw,
        "GET",
        "?"
        + "&".join(f"{k}={v}" for k, v in auth_params(app).items() if k != "state")
        + "&state=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    assert (
        shown.status_code == 200 and "<script>" not in shown.text and "&quot;&gt;&lt;script&gt;" in shown.text
    )
    assert state  # the state comes back as sent on approval, encoded in the URL (test_oauth)


TOKEN_CASES = [
    ("no parameters", "", 400, "invalid_request"),
    (
        "huge code",
        "grant_type=authorization_code&code=" + "a" * 5000 + "&redirect_uri=x&client_id=x&client_secret=x",
        401,
        "invalid_client",
    ),
    (
        "unicode and nulls",
        "grant_type=authorization_code&code=%00%F0%9F%92%A9&redirect_uri=%00&client_id=%00&client_secret=%FF",
        401,
        "invalid_client",
    ),
    (
        "huge numeric client id",
        "grant_type=authorization_code&code=a&redirect_uri=b&client_id=" + "9" * 40 + "&client_secret=c",
        401,
        "invalid_client",
    ),
    ("refresh grant", "grant_type=refresh_token&refresh_token=x", 400, "unsupported_grant_type"),
]


@pytest.mark.parametrize(("name", "query", "status", "error"), TOKEN_CASES, ids=[c[0] for c in TOKEN_CASES])
def test_token_bad_input_gets_an_oauth_error(sandbox, raw, world, name, query, status, error) -> None:
    before = sandbox.store.snapshot()
    response = raw.http.post(f"{origin(raw)}/v1/token?{query}", verify=raw.sandbox.ca_file, timeout=30)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert sandbox.store.snapshot() == before


def test_a_code_for_another_client_is_refused(raw, world) -> None:
    _mine, other, app, other_app, _ = world
    from tests.local_sandbox.oauth_world import approve, exchange

    code = approve(raw, app, other.user_id)
    theirs = App(other_app.id, other_app.client_id, other_app.secret, app.redirect_uri)  # the code's redirect
    assert exchange(raw, theirs, code).json()["error"] == "invalid_grant"
    assert exchange(raw, app, code).status_code == 200  # still good for its own client


@pytest.mark.parametrize(
    "form",
    [{}, {"user_id": "x", "user_api_key_id": "y"}, {"user_id": "1", "user_api_key_id": "9" * 40}],
)
def test_revoke_bad_input(sandbox, raw, world, form) -> None:
    before = sandbox.store.snapshot()
    response = raw.http.post(f"{origin(raw)}/auth/revoke", data=form, verify=raw.sandbox.ca_file, timeout=30)
    assert response.status_code == 404 and "Nothing to revoke" in response.text
    assert raw.http.get(f"{origin(raw)}/auth/revoke", verify=raw.sandbox.ca_file).status_code == 405
    assert sandbox.store.snapshot() == before
