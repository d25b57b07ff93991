"""The bank: accounts, money and what happens to them with time, apart from the wire.

Everything here is a function of the database (``Store``), a clock and the event log: nothing of the
app, routing, requests or HTTP (``tests/test_architecture.py`` holds it to that). Endpoints parse a
request, call the bank, and render what it answers.

- ``tables``: every table declared once (columns, id base, reset order, snapshot);
- ``core``: ``Bank``, the handle (store, event log, clock) every rule takes;
- ``ledger``: balances and payments rows; ``transfers``: moving money between accounts;
- ``scheduling``: scheduled payments and their runs; ``sugar_daddy``: the sandbox's free money;
- ``settlement``: what fell due, settled as an explicit step of each request (``settle_due``, the
  caller's own, a few) and by the sandbox's own clock in the background (``DueClock``).
- ``clock``: the sandbox clock (``SandboxClock``: real time plus an offset that only grows), the one
  time source of every rule above and of the sessions (``/_sandbox/clock`` moves it);
- ``snapshots``: named copies of the whole state, saved and restored each in one transaction.
"""
