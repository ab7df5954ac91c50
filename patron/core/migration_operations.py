"""Index operations for migrations of the large tables (customers: a million rows).

On PostgreSQL they build and drop indexes CONCURRENTLY, so that reads and writes go on
meanwhile: a plain CREATE INDEX blocks writes while it builds, and a DROP INDEX in a
migration's transaction blocks reads too until the transaction ends, after every index
it builds. Elsewhere (SQLite) they are the plain operations. Their migration sets
`atomic = False`: PostgreSQL builds no index concurrently inside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations import AddIndex, RemoveIndex


def _concurrently(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexWithoutLocking(AddIndexConcurrently):
    def describe(self):
        return f"{AddIndex.describe(self)} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        plain = not _concurrently(schema_editor)
        operation = AddIndex if plain else AddIndexConcurrently
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        plain = not _concurrently(schema_editor)
        operation = AddIndex if plain else AddIndexConcurrently
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexWithoutLocking(RemoveIndexConcurrently):
    def describe(self):
        return f"{RemoveIndex.describe(self)} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        plain = not _concurrently(schema_editor)
        operation = RemoveIndex if plain else RemoveIndexConcurrently
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        plain = not _concurrently(schema_editor)
        operation = RemoveIndex if plain else RemoveIndexConcurrently
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)
