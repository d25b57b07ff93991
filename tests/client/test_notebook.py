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
    pools = run.client.adapter.poolmanager.pools
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


def test_a_notebook_run_out_of_order_names_the_notebook_to_run_first(settings, sandbox) -> None:
    from bunq_helpers.client.notebook import NotebookOrderError

    where = dict(base_url=sandbox.base_url, ca_file=sandbox.ca_file, context_file=settings.context_file_path)
    with pytest.raises(NotebookOrderError) as caught:
        start_notebook(after="03_add_a_session", **where)
    lines = caught.value._render_traceback_()
    assert lines[0].startswith("NotebookOrderError: This notebook continues from 03_add_a_session")
    assert "no API key yet" in lines[0]
    assert lines[1] == (
        "Run 00_start_here first, then 01_create_an_installation, 02_add_the_device, 03_add_a_session; "
        "then run this notebook again."
    )
    assert not any("Traceback" in line for line in lines)
    run = start_notebook(**where)
    run.context.api_key = "sandbox_" + "ab" * 28
    run.save()
    with pytest.raises(
        NotebookOrderError, match="Run 01_create_an_installation first, then 02_add_the_device;"
    ):
        start_notebook(after="02_add_the_device", **where)
    start_notebook(after="00_start_here", **where)  # what 00 makes is there: no error
    with pytest.raises(ValueError, match="expected one of 00_start_here"):
        start_notebook(after="07_nothing", **where)


def test_save_says_where_and_what_in_one_readable_note(notebook) -> None:
    note = notebook.save()
    text = repr(note)
    assert text.startswith("Saved the API context\n") and not text.startswith(("'", '"'))
    assert "readable only by you (0600)" in text
    assert f"installation {notebook.context.installation_id}" in text and "session" in text
    assert "Saved the API context" in note._repr_html_()


def test_rerunning_the_installation_step_keeps_a_working_installation(notebook) -> None:
    from bunq_helpers.client.installation import create_installation
    from bunq_helpers.crypto.keys import generate_private_key

    context = notebook.context
    working = context.installation_id
    key = generate_private_key()
    newer = create_installation(notebook.client, key)
    kept = notebook.save_installation(newer, key)
    assert context.installation_id == working and context.device_registered
    assert repr(kept).startswith(
        f"Kept the working installation {working}; installation {newer.id} is not saved"
    )
    assert "replace=True" in repr(kept)
    notebook.client.request("GET", "user", token=context.session_token)  # still works
    replaced = notebook.save_installation(newer, key, replace=True)
    assert context.installation_id == newer.id and not context.device_registered and context.session is None
    assert f"Installation {newer.id} replaces {working}: run 02 and 03 next." in repr(replaced)
    with pytest.raises(HandshakeIncompleteError, match="02_add_the_device"):
        start_notebook(
            after="03_add_a_session",
            base_url=notebook.settings.base_url,
            ca_file=notebook.settings.ca_file,
            context_file=notebook.settings.context_file_path,
        )


def test_a_standalone_sandbox_is_local_but_not_in_process(notebook) -> None:
    assert notebook.is_local and not notebook.has_in_process_sandbox and notebook.local_sandbox is None
    note = repr(notebook.skipped("gives sessions a 3-second life", "start it with --session-timeout 3."))
    assert note.startswith("Skipped: needs the in-process local sandbox")
    assert "standalone sandbox at https://127.0.0.1:" in note and "--session-timeout 3" in note
    assert "local sandbox state" not in repr(notebook.banner())
    assert "standalone" in repr(notebook.state())


def test_in_the_docs_build_paths_and_the_port_are_placeholders(monkeypatch, settings) -> None:
    monkeypatch.setenv("DOCS_BUNQ_HELPERS_BUILD", "1")
    run = start_notebook()
    shown = repr(run.banner()) + repr(run.state()) + repr(run.save()) + repr(run.replay_setup())
    assert str(settings.home) not in shown and "/tmp" not in shown
    assert "https://127.0.0.1:<port>/v1/" in shown and "<BUNQ_HELPERS_HOME>/bunq-local.conf" in shown
    monkeypatch.delenv("DOCS_BUNQ_HELPERS_BUILD")
    assert run.endpoint.base_url in repr(run.banner())


def test_the_handshake_diagram_is_drawn_from_what_each_save_recorded(notebook) -> None:
    from bunq_helpers.client.session_server import open_session

    context = notebook.context
    session = open_session(notebook.client, context.installation_token, context.api_key)
    context.record_session(session)
    notebook.save()
    diagram = notebook.handshake_diagram()
    assert [arrow.path for arrow in diagram.arrows] == [
        "/v1/session-server"
    ]  # the others were made elsewhere
    assert diagram.arrows[0].token == "installation token" and diagram.arrows[0].status == 200
    rehearsal = notebook.rehearse_handshake()
    assert [a.path for a in rehearsal.arrows][-2:] == ["/v1/session-server", "/v1/user"]
    assert rehearsal.arrows[-1].token == "session token"
