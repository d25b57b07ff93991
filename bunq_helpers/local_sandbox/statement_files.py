"""Statement files of one account's payments in a period: CSV, MT940 (SWIFT layout) and a small PDF.

Each writer takes a ``Statement`` and returns bytes. The CSV has the columns of bunq's own export
(Date, Interest Date, Amount, Account, Counterparty, Name, Description); ``EUROPEAN`` separates with
``;`` and writes decimal commas, ``UK_US`` uses ``,`` and decimal points. The MT940 has the tags
``:20:`` (reference), ``:25:`` (IBAN), ``:28C:`` (statement number), ``:60F:`` (opening balance),
a ``:61:``/``:86:`` pair per payment and ``:62F:`` (closing balance), CRLF line ends and only the
SWIFT character set. The PDF is PDF 1.4 written by hand (one font, text only), no dependency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from .amounts import cents_to_value


@dataclass(frozen=True)
class Line:
    """One payment on the statement."""

    id: int
    booked: dt.datetime  # UTC
    cents: int
    counterparty_iban: str
    counterparty_name: str
    description: str


@dataclass(frozen=True)
class Statement:
    """What every format shows."""

    number: int
    iban: str
    holder: str
    account_description: str
    currency: str
    date_start: dt.date
    date_end: dt.date
    opening_cents: int
    lines: list[Line]

    @property
    def closing_cents(self) -> int:
        """Opening balance plus every line."""
        return self.opening_cents + sum(line.cents for line in self.lines)


# --- CSV ---------------------------------------------------------------------------------------


def to_csv(statement: Statement, regional_format: str) -> bytes:
    """bunq's CSV export columns; EUROPEAN: ``;`` and decimal commas, UK_US: ``,`` and points."""
    european = regional_format == "EUROPEAN"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if european else ",", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["Date", "Interest Date", "Amount", "Account", "Counterparty", "Name", "Description"])
    for line in statement.lines:
        value = cents_to_value(line.cents)
        day = line.booked.date().isoformat()
        writer.writerow(
            [
                day,
                day,
                value.replace(".", ",") if european else value,
                statement.iban,
                line.counterparty_iban,
                line.counterparty_name,
                line.description,
            ]
        )
    return out.getvalue().encode("utf-8")


# --- MT940 -------------------------------------------------------------------------------------

_SWIFT_CHARS = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
MT940_LINE = 65
MT940_86_LINES = 6


def swift_text(text: str) -> str:
    """Text in the SWIFT 'x' character set: accents dropped, other characters as spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_SWIFT_CHARS.sub(" ", plain).split())


def _mt940_amount(cents: int) -> str:
    return cents_to_value(abs(cents)).replace(".", ",")


def _mark(cents: int) -> str:
    return "D" if cents < 0 else "C"


def _balance(tag: str, cents: int, day: dt.date, currency: str) -> str:
    return f":{tag}:{_mark(cents)}{day:%y%m%d}{currency}{_mt940_amount(cents)}"


def to_mt940(statement: Statement) -> bytes:
    """A customer statement in the SWIFT MT940 layout, one statement, one page."""
    lines = [
        f":20:BUNQ{statement.number:06d}",
        f":25:{statement.iban}",
        f":28C:{statement.number}/1",
        _balance("60F", statement.opening_cents, statement.date_start, statement.currency),
    ]
    for line in statement.lines:
        lines.append(
            f":61:{line.booked:%y%m%d}{line.booked:%m%d}{_mark(line.cents)}{_mt940_amount(line.cents)}"
            f"NTRFNONREF//{line.id}"
        )
        detail = swift_text(f"{line.counterparty_iban} {line.counterparty_name} {line.description}")
        first, rest = detail[: MT940_LINE - 4] or "-", detail[MT940_LINE - 4 :]
        more = [rest[i : i + MT940_LINE] for i in range(0, len(rest), MT940_LINE)]
        lines.append(":86:" + first)
        lines.extend(more[: MT940_86_LINES - 1])
    lines.append(_balance("62F", statement.closing_cents, statement.date_end, statement.currency))
    return ("\r\n".join(lines) + "\r\n-").encode("ascii")


# --- PDF ---------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
LINES_PER_PAGE = 60
FONT_SIZE = 9


def _pdf_text(text: str) -> str:
    encoded = text.encode("cp1252", "replace").decode("cp1252")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf_rows(statement: Statement) -> list[str]:
    euro = statement.currency
    rows = [
        f"Statement {statement.number} - {statement.account_description}",
        f"{statement.holder}, {statement.iban}",
        f"From {statement.date_start.isoformat()} to {statement.date_end.isoformat()} (UTC)",
        "",
        f"Opening balance: {cents_to_value(statement.opening_cents)} {euro}",
        "",
    ]
    for line in statement.lines:
        counterparty = (line.counterparty_name or line.counterparty_iban)[:30]
        rows.append(
            f"{line.booked:%Y-%m-%d}  {cents_to_value(line.cents):>12} {euro}  {counterparty:<30}  {line.description[:40]}"
        )
    rows += ["", f"Closing balance: {cents_to_value(statement.closing_cents)} {euro}"]
    return rows


def to_pdf(statement: Statement) -> bytes:
    """A text-only PDF 1.4 of the statement (Courier, A4), with a correct cross-reference table."""
    return text_pdf(_pdf_rows(statement))


def text_pdf(rows: list[str]) -> bytes:
    """A text-only PDF 1.4 of these lines (Courier, A4, 60 to a page), with a correct cross-reference table."""
    pages = [rows[i : i + LINES_PER_PAGE] for i in range(0, len(rows), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]
    font_id, pages_id = 3, 2
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # the page tree, filled in once the page ids are known
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for page_rows in pages:
        text = [f"BT /F1 {FONT_SIZE} Tf 40 {PAGE_HEIGHT - 50} Td {FONT_SIZE + 3} TL"]
        text += [f"({_pdf_text(row)}) Tj T*" for row in page_rows]
        text.append("ET")
        stream = "\n".join(text).encode("cp1252")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> >>"
            b" /Contents %d 0 R >>" % (pages_id, PAGE_WIDTH, PAGE_HEIGHT, font_id, content_id)
        )
        page_ids.append(len(objects))
    kids = " ".join(f"{page} 0 R" for page in page_ids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode("ascii")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)
