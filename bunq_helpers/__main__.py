"""``python -m bunq_helpers``: see ``cli``."""

from .cli import main

raise SystemExit(main())
