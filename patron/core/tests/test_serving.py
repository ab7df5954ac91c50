import gc
import subprocess
import sys
import weakref

import pytest
from django.core.signals import request_finished

from patron.core import serving


class Cycle:
    def __init__(self):
        self.me = self


@pytest.fixture
def serving_process():
    """This process prepared as patron.wsgi prepares a server's, undone afterwards; the
    automatic collector off, so that only the collection after the response can free a cycle."""
    serving.prepare_to_serve()
    gc.disable()
    yield
    gc.enable()
    request_finished.disconnect(dispatch_uid="patron.collect_after_response")
    gc.unfreeze()


@pytest.mark.django_db
def test_a_requests_garbage_is_collected_after_a_response(client, serving_process):
    garbage = Cycle()
    freed = weakref.ref(garbage)
    del garbage
    assert freed() is not None  # a cycle: only the collector frees it

    assert client.get("/login/").status_code == 200

    assert freed() is None


@pytest.mark.django_db
def test_without_the_server_preparation_the_cycle_stays(client):
    gc.disable()
    try:
        garbage = Cycle()
        freed = weakref.ref(garbage)
        del garbage
        assert client.get("/login/").status_code == 200
        assert freed() is not None
    finally:
        gc.enable()


def test_the_wsgi_application_freezes_what_it_loaded_and_collects_after_responses():
    probe = (
        "import gc; import patron.wsgi; from django.core.signals import request_finished; "
        "print(gc.get_freeze_count() > 10000, "
        "request_finished.disconnect(dispatch_uid='patron.collect_after_response'))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert shown.split() == ["True", "True"]
