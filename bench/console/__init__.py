"""The console at a million tickets (issue 12): queue pages, deep pages, a long ticket and search.

`python -m bench.console` fills a database per engine once (1,000,000 tickets and 5,000,000
messages on PostgreSQL, 100,000 tickets on SQLite; kept and reused while size, schema and
generator are unchanged), then times the console's pages through Django's test Client in a
fresh process per run: the queue's first page and page 200 of several views, the page of a
ticket with 50 messages, search for a Japanese substring and an Indonesian word; counts their
SQL queries, and records the process's peak memory after paging through every view. With
`--peer DIR` (or PEER_DIR) django-helpdesk's ticket list is timed at the SQLite count in the
same sitting. The figures go to docs/benchmarks.md; `--quick` is a small SQLite smoke run that
leaves it alone.
"""
