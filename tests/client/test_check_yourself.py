"""Check yourself: each check says right for the right answer, wrong (and why) for a wrong one, and asks
for an answer when there is none."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from bunq_helpers import check_answer, check_signature, check_token
from bunq_helpers.client.check_yourself import QUESTIONS
from bunq_helpers.crypto import signing
from tests.notebooks.notebook_files import NOTEBOOKS


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_each_question_right_and_every_wrong_option(question: str) -> None:
    asked = QUESTIONS[question]
    assert check_answer(question, asked.right).right is True
    assert check_answer(question, f" {asked.right.upper()}) ").right is True  # "B)" is "b"
    assert set(asked.wrong) == set(asked.options) - {asked.right}  # every wrong option says why
    for letter in asked.wrong:
        verdict = check_answer(question, letter)
        assert verdict.right is False and asked.wrong[letter] in verdict.why
    assert check_answer(question, None).right is None
    assert check_answer(question, "z").right is False and "one of" in check_answer(question, "z").why


@pytest.mark.parametrize(
    ("call", "right", "wrong"),
    [
        ("POST /v1/installation", "none", "session"),
        ("POST /v1/device-server", "installation", "session"),
        ("POST /v1/session-server", "installation token", "none"),
        ("GET /v1/user", "session", "installation"),
        ("POST /v1/user/1/monetary-account/2/payment?x=1", "session", "none"),
    ],
)
def test_which_token(call: str, right: str, wrong: str) -> None:
    assert check_token(call, right).right is True
    verdict = check_token(call, wrong)
    assert verdict.right is False and "not" in verdict.why
    assert check_token(call, None).right is None


def test_sign_these_bytes(client_key, other_key) -> None:
    body = b'{"amount":{"value":"1.00","currency":"EUR"}}'
    assert check_signature(body, client_key, signing.sign_body(client_key, body)).right is True
    reserialised = json.dumps(json.loads(body)).encode()  # spaces after the colons
    verdict = check_signature(body, client_key, signing.sign_body(client_key, reserialised))
    assert verdict.right is False and "re-serialised" in verdict.why
    verdict = check_signature(body, client_key, signing.sign_body(other_key, body))
    assert verdict.right is False and "does not verify" in verdict.why
    assert check_signature(body, client_key, None).right is None
    assert "Not answered yet" in check_signature(body, client_key, None)._repr_html_()


def test_every_notebook_from_01_to_09_has_questions() -> None:
    assert {question.split("-", 1)[0] for question in QUESTIONS} == {f"{n:02}" for n in range(1, 10)}


def test_notebooks_01_to_09_end_with_two_or_three_exercises_that_exist() -> None:
    assert [path.stem[:2] for path in NOTEBOOKS[1:10]] == [f"{n:02}" for n in range(1, 10)]
    for path in NOTEBOOKS[1:10]:
        notebook = nbformat.read(path, as_version=4)
        sources = [cell.source for cell in notebook.cells]
        start = next(i for i, s in enumerate(sources) if s.startswith("## Check yourself"))
        checks = re.findall(r"check_(?:answer|token|signature)\([^)]*\)", "\n".join(sources[start:]))
        assert 2 <= len(checks) <= 3, (path.stem, checks)  # an answer cell, then a check cell
        for question in re.findall(r'check_answer\("([\w-]+)"', "\n".join(checks)):
            assert question in QUESTIONS, (path.stem, question)
        assert sources[-1].startswith("## Summary")  # the exercises come at the end, before the summary
