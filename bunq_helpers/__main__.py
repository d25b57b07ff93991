"""``python -m bunq_helpers``: see ``cli``.

A command is one short run (a few calls at most), so the cyclic garbage collector is off while it
runs, and once it is done every object it made is frozen out of the collections the interpreter
makes at exit (the atexit handlers, which stop the local sandbox, and the teardown run as always).
Collections took a warm ``create-context`` about a quarter of its time, most of it at exit
(measured: -16 to -21% from the freeze, -8 to -11% more from turning the collector off).
"""

import gc

gc.disable()

from .cli import main  # noqa: E402 - after the collector is off: most of a run is imports

status = main()
gc.freeze()
raise SystemExit(status)
