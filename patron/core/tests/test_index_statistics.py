"""After a migration, SQLite's new indexes get statistics (core.apps.analyze_new_indexes)."""

import pytest
from django.db import connection

from patron.core.apps import analyze_new_indexes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner statistics"),
]


def _statistics(cursor, index: str) -> list[str]:
    cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = %s", [index])
    return [stat for (stat,) in cursor.fetchall()]


def test_an_index_made_after_analyze_gets_its_statistics():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch_people (region INTEGER, born TEXT)")
        cursor.executemany(
            "INSERT INTO scratch_people VALUES (%s, %s)",
            [(1, f"19{n % 80:02d}-01-01") for n in range(400)],
        )
        cursor.execute("CREATE INDEX scratch_region_idx ON scratch_people (region)")
        cursor.execute("ANALYZE")
        cursor.execute("CREATE INDEX scratch_born_idx ON scratch_people (region, born)")

        assert _statistics(cursor, "scratch_born_idx") == []
        assert "scratch_born_idx" in analyze_new_indexes("default")
        # 400 rows; all in one region; 5 a birth date: the planner now knows the region
        # alone narrows nothing.
        assert _statistics(cursor, "scratch_born_idx") == ["400 400 5"]
        assert "scratch_born_idx" not in analyze_new_indexes("default")


def test_a_database_never_analyzed_is_left_as_it_is():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            pytest.skip("this test database has been analyzed")
        cursor.execute("CREATE TABLE scratch_places (region INTEGER)")
        cursor.execute("CREATE INDEX scratch_places_idx ON scratch_places (region)")
        assert analyze_new_indexes("default") == []
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None
