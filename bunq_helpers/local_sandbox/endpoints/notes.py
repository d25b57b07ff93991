"""Notes on any object bunq lets you annotate: ``note-text`` and ``note-attachment``, list, create, read,
update and delete, from one set of handlers.

Where bunq has notes comes from bunq's own API description (``note_parents.py``, generated). Which of
those parents the local sandbox holds is ``PARENTS`` below: one line per parent kind, naming how to
tell whether such an object exists on the caller's account (mostly the family's own ``find_*``). A parent kind that is not listed gets no
routes, so its note operations stay "not emulated" rather than answering 404 for objects that
cannot exist. A note on an object that is missing, or someone else's, is bunq's 404.

Left out on purpose: ``payment-delayed`` and ``schedule-request-inquiry(-batch)`` (no operation or field
names their ids) and ``whitelist-result``. bunq's sources do back the behaviour behind it: its PHP, Java
and C# SDKs describe ``WhitelistSdd`` and ``WhitelistResult`` as "Whitelist an SDD so that when one comes in,
it is automatically accepted"; ``RequestResponse.eligible_whitelist_id`` and ``WhitelistResult.object``
(a RequestResponse or DraftPayment) fit it. But a client has no way to learn a result's id. bunq's API
has no list or read of whitelist results. ``EventObject`` does not include them, and a RequestResponse
names only the whitelist. So its ten note operations could only be reached by guessing, the defect
issue 22 lists for schedule instances.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from ..bunq_errors import bad_request, not_found
from ..catalogue import load_catalogue
from ..kit import Owned, body_of, op
from ..pagination import paginate
from ..render import note_object
from ..request import Request
from ..routing import Caller, HandlerContext, Reply, Route
from ..validation import optional_string, required_string
from .attachments import own_attachment
from .draft_payments import DRAFT_PAYMENT
from .held_parents import NOTED
from .lookups import own_account
from .note_parents import NOTE_PARENTS
from .payment_batches import PAYMENT_BATCH
from .payments import PAYMENT
from .request_inquiries import REQUEST_INQUIRY
from .request_inquiry_batches import REQUEST_INQUIRY_BATCH
from .request_responses import RESPONSE
from .scheduled_payments import SCHEDULED_BATCH, SCHEDULED_PAYMENT
from .schedules import SCHEDULE, SCHEDULE_INSTANCE

# (db, the caller's account the path names, the path's ids) -> does the parent exist on that account?
ParentLookup = Callable[[sqlite3.Connection, sqlite3.Row, dict[str, int]], bool]


def held_as(owned: Owned) -> ParentLookup:
    """A parent that is a kit family's row on the account (``owned.link`` names its account column)."""

    def exists(db: sqlite3.Connection, account: sqlite3.Row, ids: dict[str, int]) -> bool:
        return owned.get(db, account["id"], ids["parent_id"]) is not None

    exists.kind = owned.kind  # type: ignore[attr-defined]  # the name its 404 gives
    return exists


def _schedule_instance(db: sqlite3.Connection, account: sqlite3.Row, ids: dict[str, int]) -> bool:
    """A run of the schedule the path names (``…/schedule/{schedule_id}/schedule-instance/{id}``)."""
    schedule = SCHEDULE.get(db, account["id"], ids["schedule_id"])
    return schedule is not None and SCHEDULE_INSTANCE.get(db, schedule["id"], ids["parent_id"]) is not None


_schedule_instance.kind = SCHEDULE_INSTANCE.kind  # type: ignore[attr-defined]  # the name its 404 gives


# The parents the sandbox holds: bunq's path segment -> lookup. Registering a parent is one line here.
PARENTS: dict[str, ParentLookup] = {
    "payment": held_as(PAYMENT),
    "request-inquiry": held_as(REQUEST_INQUIRY),
    "request-response": held_as(RESPONSE),
    "request-inquiry-batch": held_as(REQUEST_INQUIRY_BATCH),
    "draft-payment": held_as(DRAFT_PAYMENT),
    "payment-batch": held_as(PAYMENT_BATCH),
    "schedule-payment": held_as(SCHEDULED_PAYMENT),
    "schedule-payment-batch": held_as(SCHEDULED_BATCH),
    "schedule-instance": _schedule_instance,
    # opsnotes: parents that are kit families, each found through its own Owned chain
    **{segment: held_as(owned) for segment, owned in NOTED.items()},
}

WRAPPERS = {"note-text": "NoteText", "note-attachment": "NoteAttachment"}
MAX_CONTENT = 10_000


def _kind_name(parent: str) -> str:
    """``request-inquiry`` -> ``RequestInquiry``, for 404 messages (as the parent's own read says it)."""
    return getattr(PARENTS[parent], "kind", None) or "".join(part.capitalize() for part in parent.split("-"))


def _parent(ctx: HandlerContext, caller: Caller, ids: dict[str, int], parent: str) -> sqlite3.Row:
    """The caller's account, once the parent object is known to exist on it; else 404."""
    account = own_account(ctx, caller, ids)
    if not PARENTS[parent](ctx.store.read(), account, ids):
        raise not_found(_kind_name(parent), ids["parent_id"])
    return account


def _note(
    ctx: HandlerContext, account: sqlite3.Row, ids: dict[str, int], parent: str, kind: str
) -> sqlite3.Row:
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM notes WHERE id = ? AND kind = ? AND parent_kind = ? AND parent_id = ?"
            " AND account_id = ?",
            (ids["note_id"], kind, parent, ids["parent_id"], account["id"]),
        )
        .fetchone()
    )
    if row is None:
        raise not_found(WRAPPERS[kind], ids["note_id"])
    return row


def _render(db: sqlite3.Connection, note: sqlite3.Row) -> dict[str, Any]:
    author = db.execute("SELECT * FROM users WHERE id = ?", (note["user_id"],)).fetchone()
    attachment = None
    if note["attachment_id"] is not None:
        attachment = db.execute("SELECT * FROM attachments WHERE id = ?", (note["attachment_id"],)).fetchone()
    return note_object(note, author, attachment)


def _attachment_id(db: sqlite3.Connection, caller: Caller, body: dict[str, Any]) -> int | None:
    """The uploaded attachment a note holds (the kit's check: a whole number, sent on create)."""
    value = body.get("attachment_id")
    if value is not None and not 0 < value < 2**63:
        raise bad_request('Field "attachment_id" must be a whole number, the id of an uploaded attachment.')
    if value is not None and own_attachment(db, caller.user["id"], value) is None:
        raise bad_request(
            f'Field "attachment_id": there is no attachment {value} on your monetary accounts; '
            "upload the file with POST …/monetary-account/{id}/attachment first."
        )
    return value


def _fields(ctx: HandlerContext, caller: Caller, kind: str, body: dict[str, Any], creating: bool) -> dict:
    """The columns a create or update sets, checked; absent (or null) fields are left alone on update."""
    if kind == "note-text":
        if creating or body.get("content") is not None:
            return {"content": required_string(body, "content", max_length=MAX_CONTENT)}
        return {}
    fields: dict[str, Any] = {}
    attachment_id = _attachment_id(ctx.store.read(), caller, body)
    if attachment_id is not None:
        fields["attachment_id"] = attachment_id
    if body.get("description") is not None or creating:
        fields["content"] = optional_string(body, "description", max_length=MAX_CONTENT)
    return fields


def _handlers(parent: str, kind: str) -> dict[str, Callable[..., Reply]]:
    """The five handlers of one note kind on one parent kind."""
    wrapper = WRAPPERS[kind]

    def list_notes(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        account = _parent(ctx, caller, ids, parent)
        db = ctx.store.read()
        rows = db.execute(
            "SELECT * FROM notes WHERE kind = ? AND parent_kind = ? AND parent_id = ? AND account_id = ?",
            (kind, parent, ids["parent_id"], account["id"]),
        ).fetchall()
        return paginate(request, [_render(db, row) for row in rows], wrapper)

    def create_note(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        account = _parent(ctx, caller, ids, parent)
        fields = _fields(ctx, caller, kind, body_of(request), creating=True)
        now = ctx.now()
        with ctx.store.transaction() as db:
            note_id = db.execute(
                "INSERT INTO notes (kind, parent_kind, parent_id, account_id, user_id, content, attachment_id,"
                " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    parent,
                    ids["parent_id"],
                    account["id"],
                    caller.user["id"],
                    fields["content"],
                    fields.get("attachment_id"),
                    now,
                    now,
                ),
            ).lastrowid
        return Reply([{"Id": {"id": note_id}}])

    def read_note(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        account = _parent(ctx, caller, ids, parent)
        return Reply([{wrapper: _render(ctx.store.read(), _note(ctx, account, ids, parent, kind))}])

    def update_note(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        account = _parent(ctx, caller, ids, parent)
        note = _note(ctx, account, ids, parent, kind)
        fields = _fields(ctx, caller, kind, body_of(request), creating=False)
        with ctx.store.transaction() as db:
            for column, value in fields.items():  # column names come from _fields, never from the client
                db.execute(f"UPDATE notes SET {column} = ? WHERE id = ?", (value, note["id"]))  # noqa: S608
            db.execute("UPDATE notes SET updated = ? WHERE id = ?", (ctx.now(), note["id"]))
        return Reply([{"Id": {"id": note["id"]}}])

    def delete_note(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        account = _parent(ctx, caller, ids, parent)
        note = _note(ctx, account, ids, parent, kind)
        with ctx.store.transaction() as db:
            db.execute("DELETE FROM notes WHERE id = ?", (note["id"],))
        return Reply([])

    return {
        "list": list_notes,
        "create": create_note,
        "read": read_note,
        "update": update_note,
        "delete": delete_note,
    }


def note_routes(parents: dict[str, ParentLookup]) -> list[Route]:
    """The ten operations of every registered parent, by bunq's operation ids."""
    unknown = set(parents) - set(NOTE_PARENTS)
    if unknown:
        raise ValueError(
            f"bunq's API has no notes on {sorted(unknown)}; it has them on {sorted(NOTE_PARENTS)}"
        )
    by_path = {(o.method, o.path.strip("/")): o for o in load_catalogue().operations}
    routes = []
    for parent in parents:
        for kind in WRAPPERS:
            handlers = _handlers(parent, kind)
            for method, suffix, verb in _OPERATIONS:
                bunq = by_path[(method, _bunq_path(NOTE_PARENTS[parent]) + f"/{kind}" + suffix)]
                parent_param = _PARAM.findall(bunq.path)[-2 if suffix else -1]
                routes.append(
                    op(bunq.operation_id, handlers[verb], item="note_id", names={parent_param: "parent_id"})
                )
    return routes


_OPERATIONS = (
    ("GET", "", "list"),
    ("POST", "", "create"),
    ("GET", "/{itemId}", "read"),
    ("PUT", "/{itemId}", "update"),
    ("DELETE", "/{itemId}", "delete"),
)
_PARAM = re.compile(r"\{([^}]+)\}")
_OURS_TO_BUNQ = {"user_id": "userID", "account_id": "monetary-accountID", "schedule_id": "scheduleID"}


def _bunq_path(template: str) -> str:
    """Our note parent template with bunq's parameter names (the parent's own from its segment)."""
    parts = template.split("/")
    for index, part in enumerate(parts):
        name = part[1:-1] if part.startswith("{") else None
        if name == "parent_id":
            parts[index] = "{" + parts[index - 1] + "ID}"
        elif name is not None:
            parts[index] = "{" + _OURS_TO_BUNQ[name] + "}"
    return "/".join(parts)


ROUTES = note_routes(PARENTS)
