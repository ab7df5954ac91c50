"""The trigram index behind "email contains" (issue 6): one design per database.

- PostgreSQL: pg_trgm and a GIN trigram index on the email column; `email LIKE '%smith@%'`
  uses it.
- SQLite: an FTS5 table with the trigram tokenizer over the customer table's email column
  (external content: it stores only the index), kept in step by triggers; `pk IN (SELECT
  rowid ... WHERE customers_customer_email_fts MATCH '"smith@"')` uses it
  (`email_phrase_sql`).

Both are made by migration 0008; on SQLite `ensure()` also runs after every migrate, since a
later migration that rebuilds the customer table (Django's way of altering a column there)
drops its triggers with the old table, and it merges the index's segments (`optimize`).

A bulk insert on SQLite (an import) should run inside `deferred()`: any trigger on the
customer table makes SQLite keep a statement journal of every page each INSERT touches (the
table and its ~20 indexes), which took a row from 29 to 101 us of CPU; deferred, the new rows
enter the index in one statement at the end (2 us a row).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "customers_customer_email_fts"
INSERT_TRIGGER = "customers_customer_email_fts_insert"
DELETE_TRIGGER = "customers_customer_email_fts_delete"
UPDATE_TRIGGER = "customers_customer_email_fts_update"


def _sqlite_triggers(when: str = "") -> dict[str, str]:
    """The triggers' bodies; `when` limits the update and delete ones to some rows."""
    return {
        INSERT_TRIGGER: f"""
        AFTER INSERT ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE} (rowid, email) VALUES (new.id, new.email);
        END""",
        DELETE_TRIGGER: f"""
        AFTER DELETE ON customers_customer {when} BEGIN
            INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, email)
                VALUES ('delete', old.id, old.email);
        END""",
        UPDATE_TRIGGER: f"""
        AFTER UPDATE OF email ON customers_customer {when} BEGIN
            INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, email)
                VALUES ('delete', old.id, old.email);
            INSERT INTO {FTS_TABLE} (rowid, email) VALUES (new.id, new.email);
        END""",
    }


SQLITE_TRIGGERS = _sqlite_triggers()
POSTGRESQL_INDEX = "customer_email_trgm_idx"


def ensure(connection: BaseDatabaseWrapper) -> None:
    """Create whatever part of the index is missing (and, on SQLite, fill it). On SQLite it
    also merges the index into one segment (`optimize`), as it is after every migrate: a
    live database's saves add segments (FTS5 merges them only by fours), and merging a
    merged index costs nothing."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {POSTGRESQL_INDEX} "
                "ON customers_customer USING gin (email gin_trgm_ops)"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["customers_customer"],
            )
            present = {row[0] for row in cursor.fetchall()}
            if present >= set(SQLITE_TRIGGERS):
                optimize(connection)
                return
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(email, "
                "content='customers_customer', content_rowid='id', tokenize='trigram')"
            )
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
            optimize(connection)


def optimize(connection: BaseDatabaseWrapper) -> None:
    """SQLite: merge the FTS5 index's segments into one. A rebuild writes the index in
    segments as it goes (28 at 1M customers), and FTS5 reads a term's entries in every
    segment that has some: merged, an email fragment's lookup took half the CPU (60 emails'
    last 6 letters and "@" at 1M, each on a new connection: median 3.0 -> 1.8 ms, p95
    6.6 -> 3.2). Merging 1M customers' index took 2 s, and 0 s once merged. Elsewhere it
    does nothing."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")


def drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRESQL_INDEX}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def email_phrase_sql(text: str) -> tuple[str, list[str]]:
    """SQLite: SQL selecting the ids of customers whose email contains `text`, as an FTS5
    phrase of its trigrams. Unlike GLOB it needs no look at each candidate's email (in
    the customer table: the FTS5 table holds only the index), so it takes a third of the
    time (1M customers, a local part's last 6 letters and "@": p95 7 ms, not 37). The
    tokenizer folds case, and emails are kept in lower case, so it finds what GLOB finds;
    `text` needs 3 characters or more (a trigram)."""
    phrase = '"' + text.replace('"', '""') + '"'
    return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [phrase]


@contextmanager
def deferred(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """SQLite: customers inserted inside the block enter the email index in one statement as
    it ends, not one by one through a trigger. Run it inside the transaction of the inserts
    (`transaction.atomic()`): SQLite has one writer at a time, so no one else's rows come in
    meanwhile, and a rollback takes back the triggers' changes too. The rows already there
    keep their index up to date throughout; new rows changed or deleted inside the block are
    indexed as they are at its end. Elsewhere it does nothing."""
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM customers_customer")
        last = int(cursor.fetchone()[0])
        _replace_triggers(cursor, _sqlite_triggers(f"WHEN old.id <= {last}"), skip=INSERT_TRIGGER)
    try:
        yield
    finally:
        if connection.needs_rollback:  # the rollback brings the triggers back
            return  # noqa: B012
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, email) "
                "SELECT id, email FROM customers_customer WHERE id > %s",
                [last],
            )
            _replace_triggers(cursor, SQLITE_TRIGGERS)


def _replace_triggers(cursor, triggers: dict[str, str], skip: str = "") -> None:
    for name, body in triggers.items():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if name != skip:
            cursor.execute(f"CREATE TRIGGER {name} {body}")
