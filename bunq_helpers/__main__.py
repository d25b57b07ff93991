"""``python -m bunq_helpers``: see ``cli``.

A command is one short run (a few calls at most), so the cyclic garbage collector is off while it
runs, and once it is done every object it made is frozen out of the collections the interpreter
makes at exit. Collections took a warm ``create-context`` about a quarter of its time, most of it at
exit (measured: -16 to -21% from the freeze, -8 to -11% more from turning the collector off).

After the command has returned and every other atexit handler has run (they stop the local sandbox:
its port, threads and database, and remove its ``server.json``), the process ends with ``os._exit``
once stdout and stderr are flushed: the interpreter's teardown frees every module and object one by
one, which a process about to end does not need (about 15 ms of a warm ``create-context``). If the
command raised, or a stream cannot be flushed, the interpreter ends as always and reports it.
"""

import atexit
import gc
import os
import sys

gc.disable()
_status: int | None = None


def _end_now() -> None:
    """Registered first, so it runs last: end without the teardown (see above)."""
    if _status is None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # e.g. a closed pipe: the teardown reports it as it always does
        return
    os._exit(_status)


atexit.register(_end_now)

from .cli import main  # noqa: E402 - after the collector is off: most of a run is imports

_status = main()
gc.freeze()
raise SystemExit(_status)
