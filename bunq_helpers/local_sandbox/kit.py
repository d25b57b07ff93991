"""Operations as data: a handler is declared by bunq's operation id, never by a path typed again.

``op("READ_Ip_for_User_CredentialPasswordIp", read_ip, item="ip_id")`` makes a ``Route`` whose method,
path, path-parameter kinds and response wrapper come from ``catalogue.json``; the request body is
checked against the operation's request schema (``check_body``) before the handler runs. Path
parameters get the names handlers read from ``ids``: ``ALIASES`` below (``userID`` -> ``user_id``),
the last ``{itemId}`` as ``item`` says (``item_id`` by default), anything else snake-cased with ``_id``.

Owner chains are data: ``Owned(table, kind, key, parent, link)`` finds "this user's account's payment,
or bunq's 404", each link checked in turn (``USER`` and ``ACCOUNT`` are the roots most families hang
from). A plain family (list, read, create, update, delete over one table) is ``plain_family``.

How to add a family
-------------------

``endpoints/annual_overviews.py`` is the worked example (four of bunq's operations, no handler code):

1. Declare its table once in ``bank/tables.py`` (columns, a fresh id base; creation, reset and
   snapshot follow)::

       Table("export_annual_overviews", "CREATE TABLE IF NOT EXISTS export_annual_overviews (id INTEGER
             PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), year INTEGER NOT
             NULL, created REAL NOT NULL, updated REAL NOT NULL);", 50_000_000)

2. Say who owns a row: ``ANNUAL_OVERVIEW = Owned("export_annual_overviews", "ExportAnnualOverview")``
   (the user; for an account's rows ``parent=ACCOUNT, link="account_id"``; chains nest).
3. Name its operations and the request fields that become columns; the renderer is derived from the
   spec's response schema (columns named like its fields, ``*_cents`` as Amounts, ``id``/``created``/
   ``updated`` as bunq shows them)::

       ROUTES = plain_family(
           ANNUAL_OVERVIEW,
           list_op="List_all_ExportAnnualOverview_for_User",
           read_op="READ_ExportAnnualOverview_for_User",
           create_op="CREATE_ExportAnnualOverview_for_User",
           delete_op="DELETE_ExportAnnualOverview_for_User",
           columns=("year",),
       )

4. Nothing to add elsewhere: a module of ``endpoints/`` with ``ROUTES`` is a family (imported on
   its first call). The body check, the 404s along the
   owner chain, pagination and (with ``strict_answers``) the spec check of every answer come with it.
   Where a field needs a rule the schema cannot say (a choice, text of at most n characters, an
   amount in bounds), declare it in ``rules=`` (``field_rules``); what needs the row or the store (an
   IP already listed, say) goes in ``validate=`` (see ``endpoints/permitted_ips.py``); where bunq's
   object is more than its row, pass ``render=``; ``event_kind=`` records creates, updates and deletes in the event log (and callbacks).
   Where bunq's real clients differ from its spec, add the entry, with its source, to ``divergences``.
   A listing of bunq's reference data rather than rows (currencies, categories) is ``fixed_list``;
   what must change with a row in the same write (another user's draft, say) is ``within=``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .bank.core import insert_row
from .bunq_errors import BunqError, bad_request, not_found
from .catalogue import Operation, load_catalogue
from .field_rules import DECLARED, Rule, absent_but_required, rule_for
from .pagination import paginate
from .render import id_and_stamps, timestamp
from .request import Request
from .routing import Auth, Caller, Handler, HandlerContext, Reply, Route
from .validation import parse_object, type_name

# bunq's path parameter -> the name handlers read it by in ``ids``.
ALIASES = {
    "userID": "user_id",
    "user-companyID": "user_id",
    "monetary-accountID": "account_id",
    "credential-password-ipID": "credential_id",
    "customer-statementID": "statement_id",
    "attachment-publicUUID": "attachment_uuid",
}
_PARAM = re.compile(r"\{([^}]+)\}")


def param_name(bunq_name: str) -> str:
    """``scheduleID`` -> ``schedule_id``, ``export-ribID`` -> ``export_rib_id`` (``ALIASES`` first)."""
    if bunq_name in ALIASES:
        return ALIASES[bunq_name]
    if bunq_name.endswith("UUID"):
        return bunq_name[:-4].replace("-", "_") + "_uuid"
    return bunq_name.removesuffix("ID").replace("-", "_") + "_id"


def operation(operation_id: str) -> Operation:
    """The catalogue's operation by bunq's id (a typo is an error at import, not a 404 at run time)."""
    found = load_catalogue().by_id(operation_id)
    if found is None:
        raise ValueError(f"bunq's API has no operation {operation_id!r} (see catalogue.json)")
    return found


def op(
    operation_id: str,
    handler: Handler,
    *,
    item: str = "item_id",
    names: dict[str, str] | None = None,
    auth: Auth = Auth.SESSION,
    signed: bool = False,
    check: bool = True,
    rules: dict[str, Rule] | None = None,
) -> Route:
    """The route of one of bunq's operations: path from the catalogue, body checked unless ``check=False``
    (``rules``: the fields' rules beyond their type, see ``field_rules``)."""
    found = operation(operation_id)
    DECLARED.setdefault(operation_id, {}).update(rules or {})
    names = names or {}

    def name(match: re.Match[str]) -> str:
        bunq = match.group(1)
        if bunq in names:
            return "{" + names[bunq] + "}"
        return "{" + (item if bunq == "itemId" else param_name(bunq)) + "}"

    template = _PARAM.sub(name, found.path.strip("/"))
    return Route(
        found.method,
        template,
        handler,
        auth,
        signature_required=signed,
        operation=found if check else None,
    )


# -- the request body against the operation's schema ---------------------------------------------

_JSON = {
    "string": ((str,), "a string"),
    "integer": ((int,), "a whole number"),
    "number": ((int, float), "a number"),
    "boolean": ((bool,), "true or false"),
    "object": ((dict,), "an object"),
}
# Objects whose wrong type today's handlers explain by their shape, kept word for word.
_SHAPES = {
    "Amount": 'Field "{field}" must be an object with "value" and "currency".',
    "Pointer": 'Field "{field}" must be an object with "type" and "value".',
    "LabelMonetaryAccount": 'Field "{field}" must be an object with "type" and "value".',  # sent as a Pointer
}

# Fields whose wrong type bunq itself answers in its own words (its SDK's issues quote them).
_WORDED_BY_BUNQ = {
    # bunq/sdk_python#15: a notification_filters that is not a list of objects, on UserPerson
    "notification_filters": 'Invalid type for field "notification_filters" (expected ARRAY containing STRUCT).',
}


def _fits(value: Any, kind: Any) -> bool:
    try:
        _check_type("", value, kind)
    except BunqError:
        return False
    return True


def _check_type(field: str, value: Any, kind: Any) -> None:
    if field in _WORDED_BY_BUNQ and not _fits(value, kind):
        raise bad_request(_WORDED_BY_BUNQ[field])
    if isinstance(kind, list):
        if not isinstance(value, list):
            raise bad_request(f'Field "{field}" must be an array, not {type_name(value)}.')
        return
    if kind in _JSON:
        types, said = _JSON[kind]
        if not isinstance(value, types) or (kind != "boolean" and isinstance(value, bool)):
            raise bad_request(f'Field "{field}" must be {said}, not {type_name(value)}.')
        return
    if not isinstance(value, dict):  # one of bunq's schemas: an object
        if kind in _SHAPES:
            raise bad_request(_SHAPES[kind].format(field=field))
        raise bad_request(f'Field "{field}" must be an object, not {type_name(value)}.')


def check_request(operation: Operation, request: Request) -> None:
    """``check_body`` on the request's JSON body, when the operation takes one."""
    from .divergences import request_schema

    schema = request_schema(operation)
    if schema is not None and "media_type" not in schema:
        check_body(operation, body_of(request))


def check_body(operation: Operation, body: dict[str, Any]) -> None:
    """bunq's 400 for an unknown field, a required one missing (absent or null) or one of the wrong type."""
    from .divergences import (
        REQUEST_FIELDS_TOLERATED,
        REQUEST_TYPES_BUNQ_TAKES,
        defaulted_fields,
        request_schema,
    )

    schema = request_schema(operation)
    if schema is None or "media_type" in schema:  # not JSON (an attachment's bytes): the handler reads it
        return
    fields = schema["fields"]
    if not fields:  # the spec lists no fields: the operation reads no body, so none is refused
        return
    tolerated = REQUEST_FIELDS_TOLERATED.get(operation.operation_id, {})
    for field in body:
        if field not in fields and field not in tolerated:
            known = ", ".join(sorted(fields)) or "none"
            raise bad_request(
                f"Field \"{field}\" is not one of {operation.label}'s fields; bunq's are: {known}."
            )
    defaulted = defaulted_fields(operation.operation_id)
    for field in schema.get("required", ()):
        if field in defaulted:
            continue
        if field not in body:
            raise bad_request(f'Field "{field}" is required.')
        if body[field] is None:  # sent, but null: say what it must be
            _check_type(field, None, fields[field])
    for field, value in body.items():
        if value is None:
            continue
        rule = rule_for(operation.operation_id, field)  # a choice, a date, text of at most n characters
        if field in fields and not getattr(rule, "replaces_type", False):
            alternative = REQUEST_TYPES_BUNQ_TAKES.get((operation.operation_id, field))
            if alternative is None or not _fits(value, alternative[0]):
                _check_type(field, value, fields[field])
        if rule is not None:
            rule(field, value)
    missing = absent_but_required(operation.operation_id, body)
    if missing is not None:
        raise bad_request(missing)


def body_of(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, parsed once (the kit's check and the handler share it)."""
    if "body" not in request.context:
        request.context["body"] = parse_object(request.body)
    return request.context["body"]


# -- owner chains ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """A row owned through a chain: found by ``ids[key]`` in ``table`` where ``link`` is the parent's id.

    ``parent=None`` means the row belongs to the caller's user directly (``link`` holds the user id).
    ``kind`` names the object in bunq's 404 (``PermittedIp with id 9000001 not found``); ``keep``, if
    given, says which rows of the table the family holds (the others are bunq's 404 too).
    """

    table: str
    kind: str
    key: str = "item_id"
    parent: Owned | None = None
    link: str = "user_id"
    keep: Callable[[sqlite3.Row], bool] | None = None

    def find(self, ctx: HandlerContext, caller: Caller, ids: dict[str, Any]) -> sqlite3.Row:
        """The row the path names, each owner above it checked first; else bunq's 404."""
        return self.with_owner(ctx, caller, ids)[1]

    def with_owner(
        self, ctx: HandlerContext, caller: Caller, ids: dict[str, Any]
    ) -> tuple[sqlite3.Row, sqlite3.Row]:
        """(the owner's row, the row the path names), as ``find`` checks them."""
        owner = self.owner(ctx, caller, ids)
        row = self.get(ctx.store.read(), owner["id"], ids[self.key])
        if row is None:
            raise not_found(self.kind, ids[self.key])
        return owner, row

    def get(self, db: sqlite3.Connection, owner_id: int, row_id: int) -> sqlite3.Row | None:
        """Row ``row_id`` of owner ``owner_id``, or None (no checks above it: for code that has the owner)."""
        query = f"SELECT * FROM {self.table} WHERE id = ? AND {self.link} = ?"  # noqa: S608 - declared names
        row = db.execute(query, (row_id, owner_id)).fetchone()
        return row if row is not None and (self.keep is None or self.keep(row)) else None

    def owner(self, ctx: HandlerContext, caller: Caller, ids: dict[str, Any]) -> sqlite3.Row:
        """The row the items hang from (the user, or the parent's row), checked."""
        return self.parent.find(ctx, caller, ids) if self.parent else own_user(caller, ids)

    def rows(self, ctx: HandlerContext, owner_id: int) -> list[sqlite3.Row]:
        """Every row of one owner."""
        db = ctx.store.read()
        rows = db.execute(f"SELECT * FROM {self.table} WHERE {self.link} = ?", (owner_id,)).fetchall()  # noqa: S608
        return [row for row in rows if self.keep is None or self.keep(row)]


def own_user(caller: Caller, ids: dict[str, Any]) -> sqlite3.Row:
    """The caller's user, if the path names it; else bunq's 404. For an OAuth session (a ``UserApiKey``) the
    path names the UserApiKey and the data reached is the granting user's (``oauth_grants``)."""
    if ids["user_id"] != caller.user["id"]:
        raise not_found("User", ids["user_id"])
    return caller.acting_for or caller.user


ACCOUNT = Owned("accounts", "MonetaryAccount", key="account_id")


class Narrowed(Owned):
    """An ``Owned`` over the rows of one ``type`` only (one table, several of bunq's families)."""

    def __init__(self, table: str, kind: str, type_: str, **chain: Any) -> None:
        super().__init__(table, kind, keep=lambda row: row["type"] == type_, **chain)
        object.__setattr__(self, "type_", type_)


# -- plain families ----------------------------------------------------------------------------------

Renderer = Callable[[sqlite3.Connection, sqlite3.Row], dict[str, Any]]
# a renderer that also takes the bank's time (a status that expires, a code valid for so long)
ClockedRenderer = Callable[[sqlite3.Connection, sqlite3.Row, float], dict[str, Any]]
# (ctx, the owner row on create or the row itself on update, checked body, creating) -> columns to set
Validate = Callable[[HandlerContext, sqlite3.Row, dict[str, Any], bool], dict[str, Any]]
# (ctx, the write transaction, caller, owner on create / row on update, the columns, creating) -> more columns
Within = Callable[
    [HandlerContext, sqlite3.Connection, Caller, sqlite3.Row, dict[str, Any], bool], dict[str, Any]
]


def derived_renderer(operation_id: str, *, extra: Iterable[str] = ()) -> Renderer:
    """A renderer from the spec: every response field that is a column (``id``/``created``/``updated``
    as bunq shows them, ``*_cents`` columns as Amounts in ``*_currency`` if there is one, else EUR;
    ``*_json`` columns as the JSON they hold), in the schema's order."""
    from .amounts import CURRENCY, amount

    found = operation(operation_id)
    schema_name = next(iter(found.response["wrappers"].values()), None)
    fields = list(load_catalogue().schemas.get(schema_name or "", {}).get("fields", {})) + list(extra)

    def render(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        columns = set(row.keys())
        out: dict[str, Any] = {}
        for field in fields:
            if field in ("id", "created", "updated"):
                out.update({k: v for k, v in id_and_stamps(row).items() if k == field})
            elif field + "_cents" in columns:
                currency = row[field + "_currency"] if field + "_currency" in columns else CURRENCY
                cents = row[field + "_cents"]
                out[field] = amount(cents, currency) if cents is not None else None
            elif field + "_json" in columns:
                out[field] = json.loads(row[field + "_json"]) if row[field + "_json"] is not None else None
            elif field in columns:
                value = row[field]
                out[field] = timestamp(value) if field.startswith("time_") and value is not None else value
        return out

    return render


def _column_values(columns: Iterable[str]) -> Validate:
    def validate(
        ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool
    ) -> dict[str, Any]:
        return {column: body[column] for column in columns if body.get(column) is not None}

    return validate


_PREFIXES = {"list": "List_all", "read": "READ", "create": "CREATE", "update": "UPDATE", "delete": "DELETE"}


def operation_ids(
    name: str, parent: str = "User", kinds: str = "list read create update delete"
) -> dict[str, str]:
    """``plain_family``'s ``*_op`` arguments by bunq's naming: ``operation_ids("Company")`` gives
    ``list_op="List_all_Company_for_User"``, ``read_op="READ_Company_for_User"``, ... for ``kinds``."""
    return {f"{kind}_op": f"{_PREFIXES[kind]}_{name}_for_{parent}" for kind in kinds.split()}


def plain_family(
    owned: Owned,
    *,
    list_op: str | None = None,
    read_op: str | None = None,
    create_op: str | None = None,
    update_op: str | None = None,
    delete_op: str | None = None,
    columns: Iterable[str] = (),
    validate: Validate | None = None,
    render: Renderer | None = None,
    clocked: ClockedRenderer | None = None,
    wrapper: str | None = None,
    event_kind: str | None = None,
    within: Within | None = None,
    rules: dict[str, Rule] | None = None,
) -> list[Route]:
    """The routes of a family that is a table: each operation given is made from ``owned``.

    ``validate(ctx, row, body, creating)`` (``row``: the owner on create, the row on update) turns a checked body into columns (default: the
    ``columns`` named, as sent). ``render`` defaults to ``derived_renderer`` of the read (or list)
    operation (``clocked(db, row, now)`` instead: a renderer that needs the time); ``wrapper`` to that
    operation's wrapper key. With ``event_kind``, creates, updates and
    deletes are recorded in the event log (and so reach callbacks) as bunq does for that kind.
    ``within(ctx, db, caller, row, values, creating)`` runs in the write transaction before the row is
    written (what else bunq changes with it, such as another user's draft) and may add columns.
    ``rules`` (``field_rules``) are checked on the create's and the update's fields before either runs.
    """
    shown_by = read_op or list_op
    if shown_by is not None:
        render = render or derived_renderer(shown_by)
        wrapper = wrapper or next(iter(operation(shown_by).response["wrappers"]))
    validate = validate or _column_values(tuple(columns))

    def show(ctx: HandlerContext, db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        return clocked(db, row, ctx.now()) if clocked else render(db, row)

    table, link = owned.table, owned.link

    def record(
        ctx: HandlerContext, db: sqlite3.Connection, caller: Caller, row_id: int, owner_id: int, action: str
    ) -> None:
        if event_kind is not None:
            account_id = owner_id if owned.parent is ACCOUNT else None
            ctx.events.record(
                db, event_kind, row_id, user_id=caller.user["id"], account_id=account_id, action=action
            )

    def list_rows(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, Any]) -> Reply:
        owner = owned.owner(ctx, caller, ids)
        db = ctx.store.read()
        rows = owned.rows(ctx, owner["id"])
        return paginate(
            request, [show(ctx, db, row) for row in rows], wrapper, ids=[row["id"] for row in rows]
        )

    def read_row(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, Any]) -> Reply:
        return Reply([{wrapper: show(ctx, ctx.store.read(), owned.find(ctx, caller, ids))}])

    def create_row(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, Any]) -> Reply:
        owner = owned.owner(ctx, caller, ids)
        values = {**validate(ctx, owner, body_of(request), True), link: owner["id"]}
        now = ctx.now()
        values.update(created=now, updated=now)
        with ctx.store.transaction() as db:
            values.update(within(ctx, db, caller, owner, values, True) if within else {})
            row_id = insert_row(db, table, values)
            record(ctx, db, caller, row_id, owner["id"], "CREATE")
        return Reply([{"Id": {"id": row_id}}])

    def update_row(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, Any]) -> Reply:
        row = owned.find(ctx, caller, ids)
        values = {**validate(ctx, row, body_of(request), False), "updated": ctx.now()}
        with ctx.store.transaction() as db:
            values.update(within(ctx, db, caller, row, values, False) if within else {})
            db.execute(
                f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",  # noqa: S608
                (*values.values(), row["id"]),
            )
            record(ctx, db, caller, row["id"], row[link], "UPDATE")
        return Reply([{"Id": {"id": row["id"]}}])

    def delete_row(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, Any]) -> Reply:
        row = owned.find(ctx, caller, ids)
        with ctx.store.transaction() as db:
            record(ctx, db, caller, row["id"], row[link], "DELETE")
            db.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))  # noqa: S608
        return Reply([])

    item = {"item": owned.key}
    made = [
        (list_op, list_rows, {}),
        (read_op, read_row, item),
        (create_op, create_row, {"rules": rules}),
        (update_op, update_row, {**item, "rules": rules}),
        (delete_op, delete_row, item),
    ]
    return [op(operation_id, handler, **extra) for operation_id, handler, extra in made if operation_id]


def fixed_list(
    list_op: str,
    items: Callable[[HandlerContext, sqlite3.Row], list[dict[str, Any]]],
    owner: Owned | None = None,
    wrapper: str | None = None,
) -> Route:
    """A listing of bunq's reference data, not rows: ``items(ctx, owner row)`` in the order given, under
    the operation's wrapper unless ``wrapper`` says (``owner``: the row the path hangs from, checked;
    default the user)."""
    wrapper = wrapper or next(iter(operation(list_op).response["wrappers"]))

    def list_items(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, Any]) -> Reply:
        shown = items(ctx, owner.find(ctx, caller, ids) if owner else own_user(caller, ids))
        return paginate(request, shown, wrapper, ids=list(range(len(shown), 0, -1)))

    return op(list_op, list_items)
