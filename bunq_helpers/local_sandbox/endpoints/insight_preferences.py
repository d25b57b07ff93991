"""``insight-preference-date``: the day of the month a user's insights and budgets start.

bunq lets a user choose it in the app (no API call sets it; bunq's spec and SDK only list it). The
local sandbox answers bunq's default for a new user, the 1st (an assumption: bunq does not document it).
"""

from __future__ import annotations

from ..kit import fixed_list

DEFAULT_DAY = 1

ROUTES = [
    fixed_list("List_all_InsightPreferenceDate_for_User", lambda ctx, user: [{"day_of_month": DEFAULT_DAY}])
]
