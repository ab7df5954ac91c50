from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def analyze_new_indexes(using: str, **kwargs) -> list[str]:
    """On SQLite, give statistics to each index a migration made (or remade) in a database
    that has them (`sqlite_stat1`, from an ANALYZE), and answer their names.

    SQLite guesses that an index it has no statistics for is selective, while it knows the
    others are not: after migration customers/0010 added (workspace, date_of_birth), it
    answered every "workspace = ?" with that index, scanning the workspace (a search at
    1,000,000 customers 10 ms -> 1.8 s) until the next ANALYZE. A database never analyzed
    has none to compare, so nothing is done there."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return []
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
        )
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return names


class CoreConfig(AppConfig):
    name = "patron.core"
    label = "core"

    def ready(self) -> None:
        post_migrate.connect(analyze_new_indexes, sender=self)
