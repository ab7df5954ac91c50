"""Customer numbers stay unique when many people create customers at the same moment."""

import threading

import pytest
from django.db import connection

from patron.customers.models import Customer
from patron.testing.factories import make_customer

THREADS = 8
EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_distinct_consecutive_numbers(workspace):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's in-memory test database is one connection; run on a file or PG")
    errors = []
    start = threading.Barrier(THREADS)

    def create_some(thread: int) -> None:
        try:
            start.wait()
            for index in range(EACH):
                make_customer(workspace, None, last_name=f"T{thread}-{index}")
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_some, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    numbers = sorted(Customer.objects.in_workspace(workspace).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * EACH + 1))
