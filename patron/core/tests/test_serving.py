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
def test_what_requests_load_for_good_is_frozen_once_it_is_much(client, serving_process):
    """What a worker's first requests load (views, serializers, templates) lives as long as
    the process: frozen after a response once there is much of it, it leaves the collections
    that follow; a little of it stays with them."""
    frozen = gc.get_freeze_count()
    loaded = [Cycle() for _ in range(serving.UNFROZEN_MAX)]
    assert client.get("/login/").status_code == 200
    assert gc.get_freeze_count() >= frozen + len(loaded)

    frozen = gc.get_freeze_count()
    cached = [Cycle() for _ in range(100)]
    assert client.get("/login/").status_code == 200
    assert gc.get_freeze_count() <= frozen  # (a frozen object freed leaves the count)
    collected = {id(thing) for thing in gc.get_objects(generation=2)}
    assert all(id(thing) in collected for thing in cached)
    assert not any(id(thing) in collected for thing in loaded)


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
