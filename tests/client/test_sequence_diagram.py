"""The handshake's sequence diagram: well-formed SVG, one arrow pair per exchange, the right labels,
theme-neutral (no style blocks, text in currentColor), and no secrets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bunq_helpers import AuthorisationError, create_api_context
from bunq_helpers.client.display import TOKEN_COLOURS
from bunq_helpers.client.sequence_diagram import Arrow, HandshakeLog, sequence_diagram

SVG = "{http://www.w3.org/2000/svg}"
FORBIDDEN = re.compile(r"<style|<script|var\(--|javascript:|<foreignObject", re.IGNORECASE)


@pytest.fixture
def run(settings, endpoint):
    return create_api_context(settings, endpoint=endpoint)


def _texts(group: ET.Element) -> list[str]:
    return [(node.text or "").strip() for node in group.iter(f"{SVG}text")]


def test_one_request_and_one_answer_arrow_per_exchange_with_its_labels(run) -> None:
    context = run.context
    tokens = {context.installation_token: "installation token", context.session_token: "session token"}
    diagram = sequence_diagram(run.exchanges, "The handshake", tokens=tokens)
    root = ET.fromstring(diagram.svg())  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == "The handshake"
    top = [(t.text or "").strip() for t in root.findall(f"{SVG}text")]  # the two lifelines' names
    assert top == ["your code", "bunq"]
    requests = root.findall(f".//{SVG}g[@class='request']")
    answers = root.findall(f".//{SVG}g[@class='answer']")
    assert len(requests) == len(answers) == len(run.exchanges) == 4
    assert [_texts(g)[0] for g in requests] == [
        "0. POST /v1/sandbox-user-person",  # numbered as the README's steps and notebooks 00-03
        "1. POST /v1/installation",
        "2. POST /v1/device-server",
        "3. POST /v1/session-server",
    ]
    assert [_texts(g)[1] for g in requests] == [
        "no token · not signed",
        "no token · not signed",
        "installation token · signed",
        "installation token · signed",
    ]
    assert _texts(answers[1])[0].startswith("200 · Id, Token, ServerPublicKey (")
    assert _texts(answers[3])[0].startswith("200 · Id, Token, UserPerson (")
    for group in answers:  # each answer arrow is drawn in the success colour
        assert {line.get("stroke") for line in group.iter(f"{SVG}line")} == {"#2f9e44"}


def test_the_svg_reads_in_any_theme_and_holds_no_secret(run) -> None:
    context = run.context
    diagram = sequence_diagram(run.exchanges, "The handshake")
    rendered = diagram.svg() + diagram._repr_html_() + repr(diagram)
    assert not FORBIDDEN.search(rendered)
    root = ET.fromstring(diagram.svg())
    fills = {node.get("fill") for node in root.iter(f"{SVG}text")}
    # Text takes the page's colour (light and dark themes alike); each token has its own colour, the one
    # the exchanges use, readable on both.
    assert fills - {"currentColor"} == {
        TOKEN_COLOURS["installation token"]
    }  # the handshake: no session token
    secrets = [context.api_key, context.installation_token, context.session_token]
    secrets += context.private_key_pem.splitlines()[1:-1]
    for secret in secrets:
        assert secret[:12] not in rendered


def test_a_refused_call_is_drawn_red_with_bunqs_words(run, endpoint) -> None:
    with pytest.raises(AuthorisationError) as refused:
        run.client.request("GET", "user", token="0" * 64, title="A made-up token")
    tokens = {run.context.session_token: "session token"}
    diagram = sequence_diagram([refused.value.exchange], "Refused", tokens=tokens)
    root = ET.fromstring(diagram.svg())
    request, answer = root.find(f".//{SVG}g[@class='request']"), root.find(f".//{SVG}g[@class='answer']")
    assert _texts(request)[1] == "an unknown token · signed"
    assert _texts(answer)[0].startswith("401 · Insufficient authorisation. (")
    assert {line.get("stroke") for line in answer.iter(f"{SVG}line")} == {"#e03131"}
    assert "0" * 64 not in diagram.svg()


def test_the_handshake_log_keeps_one_arrow_per_step_and_drops_an_old_installations_steps(
    tmp_path, run
) -> None:
    log = HandshakeLog(tmp_path / "ctx.conf.handshake.json")
    steps = ["sandbox-user", "installation", "device-server", "session-server"]
    for step, exchange in zip(steps, run.exchanges, strict=True):
        log.record(step, Arrow.from_exchange(exchange))
    log.save()
    again = HandshakeLog.load(log.path)
    assert [a.path for a in again.in_order()] == [e.path for e in run.exchanges]
    assert all(secret not in log.path.read_text() for secret in run.context.secrets)
    again.record(
        "installation", again.arrows["installation"]
    )  # a new installation: the old device and session go
    assert [a.path for a in again.in_order()] == ["/v1/sandbox-user-person", "/v1/installation"]
    (tmp_path / "broken.json").write_text("{")
    assert HandshakeLog.load(tmp_path / "broken.json").in_order() == []
