"""``python -m bunq_helpers.local_sandbox``: see ``cli``."""

from .cli import main

raise SystemExit(main())
