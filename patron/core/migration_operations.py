"""Index operations for migrations of the large tables (customers: a million rows).

On PostgreSQL they build and drop indexes CONCURRENTLY, so that reads and writes go on
meanwhile: a plain CREATE INDEX blocks writes while it builds, and a DROP INDEX in a
migration's transaction blocks reads too until the transaction ends, after every index
it builds. Elsewhere (SQLite) they are the plain operations. Their migration sets
`atomic = False`: PostgreSQL builds no index concurrently inside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations import AddIndex, RemoveIndex


class _ConcurrentlyOnPostgreSQL:
    """Runs as `concurrent` on PostgreSQL and as `plain` elsewhere."""

    plain: type
    concurrent: type

    def describe(self):
        return f"{self.plain.describe(self)} (concurrently on PostgreSQL)"

    def _operation(self, schema_editor) -> type:
        postgresql = schema_editor.connection.vendor == "postgresql"
        return self.concurrent if postgresql else self.plain

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = self._operation(schema_editor)
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = self._operation(schema_editor)
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexWithoutLocking(_ConcurrentlyOnPostgreSQL, AddIndexConcurrently):
    plain, concurrent = AddIndex, AddIndexConcurrently


class RemoveIndexWithoutLocking(_ConcurrentlyOnPostgreSQL, RemoveIndexConcurrently):
    plain, concurrent = RemoveIndex, RemoveIndexConcurrently
