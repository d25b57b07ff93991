"""``export-annual-overview``: a user's yearly overview exports, a plain family of the kit (data only).

The table is ``export_annual_overviews`` (``bank/tables.py``); the request's ``year`` is checked by the
kit against bunq's schema (a whole number, required); the answers are rendered from the spec's
``ExportAnnualOverviewRead`` fields. The PDF itself (``…/content``) is not emulated yet.
"""

from __future__ import annotations

from ..kit import Owned, plain_family

ANNUAL_OVERVIEW = Owned("export_annual_overviews", "ExportAnnualOverview")

ROUTES = plain_family(
    ANNUAL_OVERVIEW,
    list_op="List_all_ExportAnnualOverview_for_User",
    read_op="READ_ExportAnnualOverview_for_User",
    create_op="CREATE_ExportAnnualOverview_for_User",
    delete_op="DELETE_ExportAnnualOverview_for_User",
    columns=("year",),
)
