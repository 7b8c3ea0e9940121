"""WhatsApp webhook benchmark (issue 11): signed webhook POSTs accepted per second, and the time
until each acknowledgement reaches the Graph API, against the contact form on the same server.

Starts a fake Graph API on loopback (tests/graph.py) and `loket serve --workers 2` (web and
background worker) on SQLite in a fresh var directory, with the WhatsApp settings pointing at
the fake. Every round measures, against the same server processes and with the same 8 client
threads, the contact form exactly as bench/intake does (phase A), then signed webhook POSTs, a
new sender and so a new ticket each (phase B), and then waits until the worker has handed every
acknowledgement of phase B to the fake Graph API. The medians of the rounds replace the
WhatsApp webhook section of docs/benchmarks.md.

    .venv/bin/python -m bench.whatsapp_webhook           # 3 rounds of 10 s per phase, docs
    .venv/bin/python -m bench.whatsapp_webhook --quick   # 1 round of 2 s: a smoke test, no docs

Only 127.0.0.1 is contacted and every loop is bounded in time and in count.

The modules: `load` is the webhook client action and the matching of acknowledgements to the
POSTs; `timing` runs the rounds and the whole benchmark; `report` prints the console lines
and renders the docs section, with the prose in `reading`.
"""
