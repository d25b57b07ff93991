"""What the notebooks share: one client per notebook reading its keys from the context, and errors and
values shown masked, through display."""

from __future__ import annotations

import gc

import pytest

from bunq_helpers import HandshakeIncompleteError, create_api_context, start_notebook
from bunq_helpers.client.notebook import ShownError


@pytest.fixture
def notebook(sandbox, settings, endpoint):
    create_api_context(settings, endpoint=endpoint)
    return start_notebook(
        base_url=sandbox.base_url,
        ca_file=sandbox.ca_file,
        pinned_keys=(sandbox.pin,),
        context_file=settings.context_file_path,
    )


def test_one_client_per_notebook_reading_the_context(notebook) -> None:
    assert notebook.client is notebook.client and notebook.client.context is notebook.context
    assert notebook.endpoint == notebook.client.endpoint
    exchange = notebook.client.request("GET", "user", token=notebook.context.session_token)
    assert exchange.server_signature_valid is True and exchange.signature


def test_the_client_closes_when_the_notebook_is_gone(sandbox, settings, endpoint) -> None:
    run = start_notebook(
        base_url=sandbox.base_url, ca_file=sandbox.ca_file, context_file=settings.context_file_path
    )
    run.client.request("POST", "sandbox-user-person")
    pools = run.client.session.get_adapter(sandbox.base_url).poolmanager.pools
    assert len(pools) == 1
    del run
    gc.collect()
    assert len(pools) == 0  # the pooled connection was closed


def test_errors_are_shown_masked_through_display(notebook) -> None:
    context = notebook.context
    shown = notebook.show_error(lambda: notebook.client.request("GET", "user", token=context.api_key))
    assert isinstance(shown, ShownError)
    html, text = shown._repr_html_(), repr(shown)
    assert "AuthorisationError: HTTP 401" in html and "What to check" in html
    assert text.startswith("AuthorisationError: bunq answered HTTP 401")
    for rendering in (html, text):
        assert context.api_key not in rendering and context.installation_token not in rendering
    context.session = None
    missing = notebook.show_error(lambda: context.session_token)
    assert isinstance(missing.error, HandshakeIncompleteError) and "03_add_a_session" in missing._repr_html_()
    with pytest.raises(AssertionError, match="expected to fail"):
        notebook.show_error(lambda: None)


def test_values_mask_secret_names_and_known_secrets(notebook) -> None:
    context = notebook.context
    shown = notebook.show(
        "Values", api_key=context.api_key, note=f"the token is {context.installation_token}"
    )
    text = repr(shown) + shown._repr_html_()
    assert context.api_key not in text and context.installation_token not in text
    assert context.api_key in repr(notebook.show("Values", reveal=True, api_key=context.api_key))
