"""The session timeline: well-formed SVG with created, last call, expiry and both extension windows; a
cut scale so 30 seconds of a week still shows; times from the context and the server's Date header."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from bunq_helpers import create_api_context
from bunq_helpers.client.session_timeline import Scale, SessionTimeline, server_time, session_timeline

SVG = "{http://www.w3.org/2000/svg}"
WEEK = 604_800


def _timeline(timeout: int, last_call_after: float | None = None) -> SessionTimeline:
    created = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)
    last = created + dt.timedelta(seconds=last_call_after) if last_call_after is not None else None
    return SessionTimeline(7, created, created + dt.timedelta(seconds=timeout), timeout, last)


def test_marks_windows_and_title() -> None:
    timeline = _timeline(WEEK, last_call_after=60)
    root = ET.fromstring(timeline.svg())
    assert root.find(f"{SVG}title").text == "Session 7: 7 days (604800 s) from creation to expiry"
    marks = root.findall(f".//{SVG}g[@class='mark']")
    labels = [[(t.text or "").strip() for t in g.iter(f"{SVG}text")] for g in marks]
    assert labels == [
        ["created", "2026-11-23 10:00:00 UTC"],
        ["expiry", "2026-11-30 10:00:00 UTC"],
        ["last call", "2026-11-23 10:01:00 UTC"],
    ]
    windows = root.findall(f".//{SVG}g[@class='window']")
    texts = " ".join((t.text or "") for g in windows for t in g.iter(f"{SVG}text"))
    assert "API Keys page" in texts and "last 30 min" in texts
    assert "API reference (and the local sandbox): last 30 s" in texts
    widths = [float(g.find(f"{SVG}rect").get("width")) for g in windows]
    assert widths[0] > widths[1] > 20  # 30 s of a week is still wide enough to see
    assert "<style" not in timeline.svg() and "var(--" not in timeline.svg()


def test_the_scale_is_cut_for_long_sessions_and_linear_for_short_ones() -> None:
    week = _timeline(WEEK)
    scale = Scale(week.created, week.expires_at)
    assert len(scale.breaks) == 4  # created, expiry - 1 h, expiry - 1 min, expiry
    moments = [week.created + dt.timedelta(seconds=s) for s in (0, 3600, WEEK - 3600, WEEK - 30, WEEK)]
    xs = [scale.x(m) for m in moments]
    assert xs == sorted(xs) and xs[0] == 40 and xs[-1] == pytest.approx(720)
    short = _timeline(3)
    assert len(Scale(short.created, short.expires_at).breaks) == 2
    assert ET.fromstring(short.svg()) is not None  # windows longer than the session are clipped to it


def test_drawn_from_the_context_and_the_servers_date(settings, endpoint) -> None:
    run = create_api_context(settings, endpoint=endpoint)
    answer = run.client.request("GET", "user", token=run.context.session_token)
    timeline = session_timeline(run.context.session, answer)
    session = run.context.session
    assert timeline.expires_at == session.expires_at and timeline.timeout == session.session_timeout
    assert timeline.created == session.expires_at - dt.timedelta(seconds=session.session_timeout)
    said = server_time(answer)
    assert said is not None and abs((said - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 60
    assert timeline.last_call == said
    assert run.context.session_token[:10] not in timeline.svg() + repr(timeline)


def test_a_call_in_the_last_30_seconds_shows_as_an_extension() -> None:
    timeline = _timeline(3, last_call_after=1.5)  # the whole of a 3-second session is in the window
    assert timeline.extended_to == timeline.created + dt.timedelta(seconds=4.5)
    root = ET.fromstring(timeline.svg())
    assert root.find(f"{SVG}title").text.endswith("the last call extended it by 1.5 s")
    marks = {
        (t := [(x.text or "").strip() for x in g.iter(f"{SVG}text")])[0]: (
            float(g.find(f"{SVG}circle").get("cx")),
            t[1],
        )
        for g in root.findall(f".//{SVG}g[@class='mark']")
    }
    assert marks["created"][1] == "2026-11-23 10:00:00.0 UTC" and marks["last call"][1].endswith("01.5 UTC")
    order = [marks[name][0] for name in ("created", "last call", "expiry as opened", "extended to")]
    assert order == sorted(order) and order[1] - order[0] > 100  # created and the last call stand apart
    assert "extended   to 2026-11-23 10:00:04.5 UTC" in repr(timeline)
    assert _timeline(WEEK, last_call_after=60).extended_to is None  # far from expiry: nothing moves
    long = _timeline(WEEK, last_call_after=WEEK - 10)  # at most 5 minutes past the call
    assert long.extended_to == long.created + dt.timedelta(seconds=WEEK - 10 + 300)
