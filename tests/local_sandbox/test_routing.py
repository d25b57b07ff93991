"""The route table: built from an index without importing the families; a family imported on its first
call; the index kept beside the bytecode and remade when the package changes; events of a family not
called yet still shown."""

from __future__ import annotations

import json
import subprocess
import sys

from bunq_helpers.local_sandbox import endpoints
from bunq_helpers.local_sandbox.endpoints import IndexEntry, all_routes, families, route_index
from bunq_helpers.local_sandbox.routing import Router

FRESH_START = """
import sys, json
from pathlib import Path
from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw
from tests.local_sandbox.money import account_path
loaded = lambda: sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("bunq_helpers.local_sandbox.endpoints."))
out = {"at_start": loaded()}
with LocalSandbox(Path(sys.argv[1])) as sandbox:
    raw = Raw(sandbox)
    out["after_start"] = loaded()
    out["user"] = raw.call("POST", "sandbox-user-person").status_code
    out["after_a_call"] = loaded()
print(json.dumps(out))
"""


def test_the_index_names_every_route_and_its_family() -> None:
    index = route_index()
    assert [(e.method, e.template) for e in index] == [(r.method, r.template) for r in all_routes()]
    assert {e.family for e in index} == set(families())
    assert IndexEntry("POST", "installation", "handshake") in index
    saved = json.loads(endpoints._INDEX.read_text(encoding="utf-8"))
    assert saved["fingerprint"] == endpoints._fingerprint() and len(saved["routes"]) == len(index)


def test_a_family_is_imported_on_its_first_call_only(tmp_path) -> None:
    route_index()  # the index is current, as after any earlier run
    shown = subprocess.run(
        [sys.executable, "-c", FRESH_START, str(tmp_path / "state")],
        capture_output=True,
        text=True,
        check=True,
        cwd=endpoints.HERE.parents[2],
    )
    seen = json.loads(shown.stdout)
    assert seen["at_start"] == [] and seen["after_start"] == [], seen
    # sandbox-user-person is the handshake family's (which uses users' and lookups' helpers): no other
    assert seen["user"] == 200 and seen["after_a_call"] == ["handshake", "lookups", "users"], seen


def test_the_router_loads_a_family_when_one_of_its_routes_is_asked_for() -> None:
    loaded = []

    def load(family: str):
        loaded.append(family)
        return [route for route in all_routes() if route.template.startswith("user/{user_id}/card")]

    router = Router([IndexEntry("GET", "user/{user_id}/card/{card_id}", "cards")], load)
    assert router.resolve("GET", "user/7/payment") == (None, {}, [])
    assert loaded == []
    route, ids, allowed = router.resolve("GET", "user/7/card/9")
    assert loaded == ["cards"] and route.template == "user/{user_id}/card/{card_id}"
    assert ids == {"user_id": 7, "card_id": 9} and allowed == ["GET"]
    assert router.resolve("PUT", "user/7/card/9") == (None, {}, ["GET"])
    assert router.resolve("GET", "user/7/card/x9") == (None, {}, [])


def test_an_event_of_a_family_not_yet_imported_is_still_shown() -> None:
    code = (
        "from bunq_helpers.local_sandbox import app, events\n"
        "assert 'DraftPayment' not in events._RENDERERS\n"
        "events.render_object(None, 'NoSuchKind', 1)\n"
        "assert 'DraftPayment' in events._RENDERERS\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=endpoints.HERE.parents[2])
