"""``python -m bunq_helpers``: see ``cli``.

Once the command is done, every object it made is frozen out of the garbage collector: the exit's
collections then skip them (the atexit handlers, which stop the local sandbox, and the teardown
run as always). Collecting the 30,000-odd objects of a warm ``create-context`` at exit was about a
fifth of its time (measured).
"""

import gc

from .cli import main

status = main()
gc.freeze()
raise SystemExit(status)
