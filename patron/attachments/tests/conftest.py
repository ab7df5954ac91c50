import pytest
from django.conf import settings

from patron.testing.files import make_attachment


def stored_files() -> list[str]:
    """Every file kept under attachments/ in the test's media folder."""
    root = settings.MEDIA_ROOT / "attachments"
    return (
        sorted(
            str(path.relative_to(settings.MEDIA_ROOT)) for path in root.rglob("*") if path.is_file()
        )
        if root.exists()
        else []
    )


@pytest.fixture
def attachment(customer, admin):
    return make_attachment(customer, admin)
