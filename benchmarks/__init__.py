"""Benchmarks of perfgoals: figures to watch, not pass/fail tests.

One module per job, each run with ``python -m benchmarks.<module>`` (or all of
them with ``scripts/bench.sh``):

- ``imports``: wall time of importing the published seed forms;
- ``lists``: requests/s and p50/p95 of the list, 我的申报 and filing pages
  under gunicorn with 16 concurrent clients, at 15 and at 10,000 filings, and
  the SQL query count of each page;
- ``editing``: p50/p95 and queries of a wizard step autosave and of an
  indicator-table autosave of a 62-indicator filing, the editor page's query
  count, and library suggestions over 10,000 entries, in-process on SQLite or
  PostgreSQL.

Every run works in a database of its own that it creates and drops
(``benchmarks.throwaway``); the ``DATABASE_URL`` of the shell is never used.
Figures are appended to ``benchmarks/results.txt``.
"""
