"""The landing contract (docs/landing.md): the facts the loader (orchestration/ingest) and the
gate (data_quality) both rely on, importable by either without importing the other.

- files.py: the landing folder's layout and how to scan it;
- tables.py: the raw layer's shared table names (quarantine, load log, exchange rates);
- spec.py: the shape of a per-object load contract (`ObjectSpec`, `Field`, `SanityRule`);
  each source's specs live in `orchestration/sources/<source>/spec.py`;
- json_sql.py: reading many JSON fields of a record in one parse, in DuckDB SQL.
"""
