import io

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from patron.customers.models import Customer
from patron.customers.services import customer_delete
from patron.exchange.tests.conftest import body, read_csv
from patron.lists import services as list_services
from patron.lists.models import ListEntry
from patron.members.services import member_link
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role


def _last_names(response) -> list[str]:
    rows = read_csv(body(response))
    column = rows[0].index("Last name")
    return [row[column] for row in rows[1:]]


def test_the_results_offer_the_export_of_the_same_search(admin_client, london, paris):
    page = admin_client.get("/customers/?city=Lon&page=1").content.decode()
    assert 'href="/customers/export.csv?city=Lon"' in page
    assert 'href="/customers/export.xlsx?city=Lon"' in page
    assert 'href="/customers/export.vcf?city=Lon"' in page


def test_the_organizations_page_exports_organizations(admin_client, workspace, admin, london):
    make_customer(workspace, admin, kind="organization", company_name="Acme")
    page = admin_client.get("/organizations/").content.decode()
    assert 'href="/customers/export.csv?kind=organization"' in page
    response = admin_client.get("/customers/export.csv?kind=organization")
    rows = read_csv(body(response))
    assert [row[rows[0].index("Company name")] for row in rows[1:]] == ["Acme"]


def test_export_equals_the_search(admin_client, london, paris):
    response = admin_client.get("/customers/export.csv?city=Lon")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-20')
    assert _last_names(response) == ['Smith, "Jr"']
    everyone = admin_client.get("/customers/export.csv")
    assert _last_names(everyone) == ["Dupont", 'Smith, "Jr"']


def test_my_customers_export_only_mine(admin_client, admin, london, paris):
    member_link(customer=paris, user=admin, role="salesman", actor=None)
    page = admin_client.get("/customers/mine/").content.decode()
    assert 'href="/customers/export.csv?mine=yes"' in page
    assert _last_names(admin_client.get("/customers/export.csv?mine=yes")) == ["Dupont"]


def test_an_invalid_search_is_refused(admin_client, london):
    response = admin_client.get("/customers/export.csv?date_of_birth=soon")
    assert response.status_code == 400
    assert "date_of_birth" in response.content.decode()


def test_deleted_archived_and_foreign_customers_are_left_out(
    admin_client, admin, workspace, other_workspace, london, paris
):
    customer_delete(customer=paris, actor=admin)
    make_customer(other_workspace, None, last_name="Foreigner")
    archived = make_customer(workspace, admin, last_name="Shelved")
    Customer.objects.filter(pk=archived.pk).update(archived_at="2026-01-01T00:00Z")
    assert _last_names(admin_client.get("/customers/export.csv")) == ['Smith, "Jr"']
    # Archived ones only when the search asks for them, as on the list.
    assert _last_names(admin_client.get("/customers/export.csv?archived=true")) == ["Shelved"]


def test_a_chosen_store_limits_the_export(admin_client, workspace, london, paris):
    store = workspace.stores.create(name="North")
    london.stores.add(store)
    admin_client.post("/store/switch/", {"store": store.pk})
    assert _last_names(admin_client.get("/customers/export.csv")) == ['Smith, "Jr"']


def test_read_only_may_export(client, workspace, london):
    client.force_login(MembershipFactory(workspace=workspace, role=Role.READ_ONLY).user)
    assert _last_names(client.get("/customers/export.csv")) == ['Smith, "Jr"']


def test_xlsx_download(admin_client, london, paris):
    response = admin_client.get("/customers/export.xlsx?city=Par")
    assert response["Content-Disposition"].startswith('attachment; filename="customers-20')
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.values)
    assert rows[1][rows[0].index("Last name")] == "Dupont"
    assert len(rows) == 2


def test_vcard_download(admin_client, london, paris):
    response = admin_client.get("/customers/export.vcf?city=Lon")
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    text = body(response).decode()
    assert text.count("BEGIN:VCARD") == 1
    assert "EMAIL;TYPE=INTERNET:zoe@example.com" in text


def test_a_list_exports_its_members(admin_client, admin, workspace, london, paris):
    gone = make_customer(workspace, admin, last_name="Gone")
    outsider = make_customer(workspace, admin, last_name="Outsider")
    customer_list = list_services.list_create(
        workspace=workspace, actor=admin, data={"name": "Spring mailing"}
    )
    for member in (london, paris, gone):
        ListEntry.objects.create(customer_list=customer_list, customer=member, via="hand")
    customer_delete(customer=gone, actor=admin)
    page = admin_client.get(f"/lists/{customer_list.pk}/").content.decode()
    assert f'href="/lists/{customer_list.pk}/export.csv"' in page
    response = admin_client.get(f"/lists/{customer_list.pk}/export.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="spring-mailing-')
    assert _last_names(response) == ["Dupont", 'Smith, "Jr"']
    assert (
        outsider.last_name
        not in body(admin_client.get(f"/lists/{customer_list.pk}/export.vcf")).decode()
    )


def test_another_workspaces_list_is_not_found(client, other_workspace, workspace, london):
    foreign = list_services.list_create(workspace=other_workspace, actor=None, data={"name": "X"})
    client.force_login(MembershipFactory(workspace=workspace, role=Role.ADMIN).user)
    assert client.get(f"/lists/{foreign.pk}/export.csv").status_code == 404


def test_post_is_not_allowed(admin_client):
    assert admin_client.post("/customers/export.csv").status_code == 405


@pytest.fixture
def thousands(workspace):
    Customer.objects.bulk_create(
        Customer(workspace=workspace, number=n, last_name=f"Name {n}", name_key=f"name {n:05}")
        for n in range(1, 4501)
    )


def test_a_big_export_streams_in_chunks(admin_client, thousands, django_assert_max_num_queries):
    response = admin_client.get("/customers/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    # 4,500 customers read 2,000 at a time: a few queries per chunk, never one per row.
    with django_assert_max_num_queries(12):
        chunks = list(response.streaming_content)
    assert len(chunks) > 5
    assert len(read_csv(b"".join(chunks))) == 4501
