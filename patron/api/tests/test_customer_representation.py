"""The customer API writes customers out by a plan made once (CustomerSerializer's
to_representation); it must give exactly what DRF's own field-by-field way gives."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from patron.api.serializers import CustomerSerializer
from patron.customers.models import Customer
from patron.testing.factories import CategoryFactory, TagFactory, make_customer
from patron.testing.files import image
from patron.workspaces.models import Store

URL = "/api/v1/customers/"


def drf_way(customer: Customer, request) -> dict:
    serializer = CustomerSerializer(context={"request": request})
    return serializers.ModelSerializer.to_representation(serializer, customer)


def test_the_list_and_a_customer_read_as_drf_writes_them(api, workspace, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    zebra, apple = (
        TagFactory(workspace=workspace, name="zebra"),
        TagFactory(workspace=workspace, name="apple"),
    )
    north = Store.objects.create(workspace=workspace, name="North")
    org = make_customer(
        workspace,
        admin,
        kind="organization",
        company_name="Acme Ltd",
        category=CategoryFactory(workspace=workspace),
        logo=SimpleUploadedFile("logo.png", image(), content_type="image/png"),
        tags=[zebra, apple],
    )
    person = make_customer(
        workspace,
        admin,
        first_name="Zoë",
        last_name="Núñez",
        date_of_birth=datetime.date(1990, 2, 28),
        organization=org,
        email="zoe@acme.example",
        mobile_phone="07911 123456",
        is_external=True,
        stores=[north],
    )
    Customer.objects.filter(pk=person.pk).update(email_invalid_since=timezone.now())
    make_customer(workspace, admin, first_name="", last_name="Plain")

    body = api.get(URL, {"page_size": 10}).json()
    request = APIRequestFactory().get(URL)
    customers = Customer.objects.filter(workspace=workspace).order_by("name_key", "pk")
    assert body["results"] == [drf_way(c, request) for c in customers]
    by_name = {row["last_name"] or row["company_name"]: row for row in body["results"]}
    assert by_name["Acme Ltd"]["tags"] == [apple.pk, zebra.pk]  # by name, as before
    assert by_name["Acme Ltd"]["logo"].startswith("http://testserver/")
    assert by_name["Núñez"]["organization"] == org.pk
    assert by_name["Núñez"]["date_of_birth"] == "1990-02-28"
    assert by_name["Plain"]["logo"] is None and by_name["Plain"]["category"] is None

    one = api.get(f"{URL}{person.pk}/").json()
    assert one == drf_way(Customer.objects.get(pk=person.pk), request)
    assert one["stores"] == [north.pk]
    assert one["email_invalid_since"] is not None


def test_a_search_alone_finds_what_the_full_filter_finds(api, workspace, admin):
    """`?q=` alone skips the filter form; with any other parameter the form judges it."""
    for n in range(7):
        make_customer(workspace, admin, first_name=f"Ann{n}", last_name="Smith")
    make_customer(workspace, admin, first_name="Bob", last_name="Smithers", email="b@acme.io")
    archived = make_customer(workspace, admin, first_name="Old", last_name="Smith")
    api.post(f"{URL}{archived.pk}/archive/")
    for text in ("smith", "smi", "@acme", "ann3 smith", "b@acme.io", ""):
        quick = api.get(URL, {"q": text, "page_size": 3}).json()
        full = api.get(URL, {"q": text, "page_size": 3, "archived": ""}).json()
        for link in ("next", "previous"):
            full[link] = full[link] and full[link].replace("archived=&", "")
        assert quick == full, text
    last = api.get(URL, {"q": "smith", "page_size": 3, "page": 3}).json()
    assert (last["count"], last["count_exact"], len(last["results"])) == (8, True, 2)
    assert api.get(URL, {"q": "bad\x00"}).json()["errors"][0]["code"] == (
        "null_characters_not_allowed"
    )
