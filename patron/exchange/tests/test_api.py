import io

from openpyxl import load_workbook

from patron.conftest import api_client_for
from patron.exchange.tests.conftest import body, read_csv
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role


def _last_names(response) -> list[str]:
    rows = read_csv(body(response))
    return [row[rows[0].index("Last name")] for row in rows[1:]]


def test_csv_of_the_filtered_customers(api, london, paris, other_workspace):
    make_customer(other_workspace, None, last_name="Foreigner")
    response = api.get("/api/v1/customers/export/?format=csv&city=Lon")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert _last_names(response) == ['Smith, "Jr"']
    assert _last_names(api.get("/api/v1/customers/export/?format=csv")) == [
        "Dupont",
        'Smith, "Jr"',
    ]


def test_the_file_comes_whatever_accept_says(api, london):
    response = api.get("/api/v1/customers/export/?format=vcf", HTTP_ACCEPT="text/vcard")
    assert response.status_code == 200
    assert 'FN:Zoë Smith\\, "Jr"' in body(response).decode()


def test_xlsx(api, london):
    response = api.get("/api/v1/customers/export/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(body(response))).active.values)
    assert rows[1][rows[0].index("Email")] == "zoe@example.com"


def test_a_missing_or_unknown_format_is_a_400_naming_it(api):
    for query in ("", "?format=pdf"):
        response = api.get(f"/api/v1/customers/export/{query}")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "format"


def test_an_invalid_filter_is_a_400(api):
    response = api.get("/api/v1/customers/export/?format=csv&date_of_birth=soon")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date_of_birth"


def test_read_only_token_may_export(workspace, london):
    client = api_client_for(MembershipFactory(workspace=workspace, role=Role.READ_ONLY))
    assert _last_names(client.get("/api/v1/customers/export/?format=csv")) == ['Smith, "Jr"']


def test_without_a_token_is_401(client):
    assert client.get("/api/v1/customers/export/?format=csv").status_code == 401
