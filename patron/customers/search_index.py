"""The trigram index behind "email contains" (issue 6): one design per database.

- PostgreSQL: pg_trgm and a GIN trigram index on the email column; `email LIKE '%smith@%'`
  uses it.
- SQLite: an FTS5 table with the trigram tokenizer over the customer table's email column
  (external content: it stores only the index), kept in step by triggers; `pk IN (SELECT
  rowid ... WHERE email GLOB '*smith@*')` uses it (`email_contains_sql`).

Both are made by migration 0008; on SQLite `ensure()` also runs after every migrate, since a
later migration that rebuilds the customer table (Django's way of altering a column there)
drops its triggers with the old table.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "customers_customer_email_fts"

SQLITE_TRIGGERS = {
    "customers_customer_email_fts_insert": f"""
        AFTER INSERT ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE} (rowid, email) VALUES (new.id, new.email);
        END""",
    "customers_customer_email_fts_delete": f"""
        AFTER DELETE ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, email)
                VALUES ('delete', old.id, old.email);
        END""",
    "customers_customer_email_fts_update": f"""
        AFTER UPDATE OF email ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, email)
                VALUES ('delete', old.id, old.email);
            INSERT INTO {FTS_TABLE} (rowid, email) VALUES (new.id, new.email);
        END""",
}
POSTGRESQL_INDEX = "customer_email_trgm_idx"


def ensure(connection: BaseDatabaseWrapper) -> None:
    """Create whatever part of the index is missing (and, on SQLite, fill it)."""
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
                return
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(email, "
                "content='customers_customer', content_rowid='id', tokenize='trigram')"
            )
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")


def drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRESQL_INDEX}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def email_contains_sql(text: str) -> tuple[str, list[str]]:
    """SQLite: SQL selecting the ids of customers whose email contains `text` (lower case),
    through the FTS5 table; any workspace (the caller narrows). GLOB, not LIKE: LIKE has no
    escape there, and "_" is common in addresses."""
    pattern = "".join(f"[{char}]" if char in "*?[" else char for char in text)
    return f"SELECT rowid FROM {FTS_TABLE} WHERE email GLOB %s", [f"*{pattern}*"]
