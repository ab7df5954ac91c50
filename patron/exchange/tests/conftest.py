import csv
import io

import pytest

from patron.testing.factories import make_customer


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of an exported CSV, which must start with a UTF-8 byte-order mark."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def london(workspace, admin):
    return make_customer(
        workspace,
        admin,
        first_name="Zoë",
        last_name='Smith, "Jr"',
        city="London",
        email="zoe@example.com",
        mobile_phone="+44 7911 123456",
    )


@pytest.fixture
def paris(workspace, admin):
    return make_customer(workspace, admin, first_name="Jean", last_name="Dupont", city="Paris")
