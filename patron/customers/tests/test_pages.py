import datetime
import re

import pytest

from patron.customers import services
from patron.customers.models import Customer
from patron.notes.services import note_delete
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.workspaces.roles import Role

BASE = {"kind": "person", "status": "active", "customer_type": "prospect"}


def results(client, url: str) -> str:
    """Only the results table, as htmx fetches it (no banner, no flash messages)."""
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_create_shows_field_errors_and_saves_nothing(admin_client):
    response = admin_client.post("/customers/new/", {**BASE, "last_name": "Doe", "email": "x@"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not Customer.objects.exists()


def test_create_then_view(admin_client):
    response = admin_client.post(
        "/customers/new/",
        {**BASE, "first_name": "Jane", "last_name": "Doe", "home_phone": "0113 496 0000"},
    )
    customer = Customer.objects.get()
    assert response.url == f"/customers/{customer.pk}/"
    page = admin_client.get(response.url).content.decode()
    assert "Jane Doe" in page
    assert "0113 496 0000" in page  # stored in E.164, shown nationally


def test_edit_form_shows_phones_nationally_and_saves(admin_client, workspace, admin):
    customer = make_customer(workspace, admin, mobile_phone="+447911123456")
    form = admin_client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'value="07911 123456"' in form
    response = admin_client.post(
        f"/customers/{customer.pk}/edit/",
        {
            **BASE,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "mobile_phone": "07911 123456",
            "city": "Leeds",
            "version": customer.version,
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("Leeds", 2)
    history = admin_client.get(f"/customers/{customer.pk}/tabs/history/").content.decode()
    assert "City/suburb" in history and "Leeds" in history


def test_history_tab_shows_the_changes_of_the_customers_own_records(admin_client, workspace, admin):
    ada = make_customer(workspace, admin, last_name="Lovelace")
    contact = make_customer(workspace, admin, last_name="Babbage")
    note = make_note(ada, admin, subject="Asked for the engine plans")
    make_note(contact, admin, subject="Someone else's note")
    history = admin_client.get(f"/customers/{ada.pk}/tabs/history/").content.decode()
    assert "Asked for the engine plans" in history
    assert f'Note: <a href="{note.get_absolute_url()}">' in history
    assert "this customer" in history
    assert "Someone else" not in history

    note_delete(note=note, actor=admin)
    history = admin_client.get(f"/customers/{ada.pk}/tabs/history/").content.decode()
    assert 'Note <span class="muted">(no longer exists)</span>' in history
    assert history.count("(no longer exists)") == 2, "its creation and its deletion"


def test_the_edit_form_shows_a_date_of_birth_as_the_date_input_needs_it(
    admin_client, workspace, admin
):
    # <input type="date"> shows only yyyy-mm-dd; in any other form the browser shows an
    # empty field, and saving the form would erase the date.
    customer = make_customer(workspace, admin, date_of_birth=datetime.date(1815, 12, 10))
    form = admin_client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'type="date" name="date_of_birth" value="1815-12-10"' in form


def test_second_editor_gets_a_form_error_listing_the_change(admin_client, customer, admin):
    services.customer_update(customer=customer, actor=admin, data={"city": "York"})
    response = admin_client.post(
        f"/customers/{customer.pk}/edit/",
        {**BASE, "last_name": "Lovelace", "city": "Leeds", "version": 1},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this customer" in page and "York" in page
    customer.refresh_from_db()
    assert customer.city == "York"


@pytest.mark.parametrize(
    ("role", "url", "method", "expected"),
    [
        (Role.READ_ONLY, "/customers/new/", "get", 403),
        (Role.READ_ONLY, "/customers/{pk}/edit/", "post", 403),
        (Role.READ_ONLY, "/customers/{pk}/", "get", 200),
        (Role.SALES, "/customers/{pk}/delete/", "post", 403),
        (Role.SALES, "/customers/{pk}/void/", "post", 403),
        (Role.SALES, "/customers/recycle-bin/", "get", 403),
        (Role.MANAGER, "/customers/{pk}/delete/", "post", 302),
    ],
)
def test_roles_are_refused_in_pages(client, member, customer, role, url, method, expected):
    client.force_login(member(role).user)
    response = getattr(client, method)(url.format(pk=customer.pk))
    assert response.status_code == expected


def test_read_only_sees_no_edit_actions(client, member, customer):
    client.force_login(member(Role.READ_ONLY).user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/edit/" not in page
    assert f"/customers/{customer.pk}/delete/" not in page


def test_organization_lists_its_contacts_and_adds_one(admin_client, workspace, admin):
    org = make_customer(workspace, admin, kind="organization", company_name="Initech")
    form = admin_client.get(f"/customers/new/?organization={org.pk}").content.decode()
    assert f'<option value="{org.pk}" selected>Initech (no. {org.number})</option>' in form
    admin_client.post(
        "/customers/new/", {**BASE, "last_name": "Lumbergh", "organization": org.pk, "job": "VP"}
    )
    contacts = admin_client.get(f"/customers/{org.pk}/tabs/contacts/").content.decode()
    assert "Lumbergh" in contacts and "VP" in contacts


def test_the_form_lists_only_the_chosen_organization_and_finds_others(
    admin_client, workspace, admin
):
    chosen = make_customer(workspace, admin, kind="organization", company_name="Initech")
    other = make_customer(workspace, admin, kind="organization", company_name="Initrode")
    make_customer(workspace, admin, kind="organization", company_name="Globex")
    person = make_customer(workspace, admin, last_name="Lumbergh", organization=chosen)
    form = admin_client.get(f"/customers/{person.pk}/edit/").content.decode()
    assert "Initech (no." in form
    assert "Initrode" not in form and "Globex" not in form

    def options(query):
        return admin_client.get(f"/customers/organization-options/?{query}").content.decode()

    found = options(f"q=init&organization={chosen.pk}")
    assert f'<option value="{chosen.pk}" selected>Initech (no. {chosen.number})</option>' in found
    assert f'<option value="{other.pk}">Initrode (no. {other.number})</option>' in found
    assert "Globex" not in found
    assert "Lumbergh" not in options("q=lumb"), "only organizations are offered"
    assert "Initech" not in options(f"q=init&exclude={chosen.pk}"), "never itself"
    assert "No organization matches “zzz”" in options("q=zzz")
    admin_client.post(
        f"/customers/{person.pk}/edit/",
        {**BASE, "last_name": "Lumbergh", "organization": other.pk, "version": person.version},
    )
    person.refresh_from_db()
    assert person.organization == other


def test_delete_restore_through_the_recycle_bin(admin_client, customer):
    admin_client.post(f"/customers/{customer.pk}/delete/")
    assert "Lovelace" not in results(admin_client, "/customers/")
    assert "Lovelace" in admin_client.get("/customers/recycle-bin/").content.decode()
    admin_client.post(f"/customers/{customer.pk}/restore/")
    assert "Lovelace" in results(admin_client, "/customers/")


def test_archived_organization_leaves_search_but_stays_reachable(admin_client, workspace, admin):
    org = make_customer(workspace, admin, kind="organization", company_name="Dormant Ltd")
    admin_client.post(f"/customers/{org.pk}/archive/")
    assert "Dormant Ltd" not in results(admin_client, "/organizations/")
    assert "Dormant Ltd" not in admin_client.get("/customers/suggest/?q=dorm").content.decode()
    assert "Dormant Ltd" in admin_client.get("/organizations/?archived=true").content.decode()
    assert admin_client.get(f"/customers/{org.pk}/").status_code == 200


def test_global_search_suggestions(admin_client, workspace, admin):
    make_customer(workspace, admin, first_name="Zoë", last_name="Quill", email="zq@example.com")
    for text in ("zoe quill", "zoe", "quill", "zq@exa", "1"):
        assert "Quill" in admin_client.get("/customers/suggest/", {"q": text}).content.decode(), (
            text
        )


def test_list_sorts_and_filters(admin_client, workspace, admin):
    make_customer(workspace, admin, last_name="Aaron", postcode="LS1 1AA")
    make_customer(workspace, admin, last_name="Zed", postcode="YO1 7HH")
    page = admin_client.get("/customers/?ordering=-name").content.decode()
    assert page.index("Zed") < page.index("Aaron")
    page = admin_client.get("/customers/?postcode=ls1").content.decode()
    assert "Aaron" in page and "Zed" not in page


def test_store_view_shows_only_that_stores_customers(admin_client, workspace, admin):
    leeds = workspace.stores.create(name="Leeds")
    york = workspace.stores.create(name="York")
    make_customer(workspace, admin, last_name="Leodensian", stores=[leeds])
    make_customer(workspace, admin, last_name="Eboracian", stores=[york])
    admin_client.post("/store/switch/", {"store": leeds.pk})
    page = admin_client.get("/customers/").content.decode()
    assert "Leodensian" in page and "Eboracian" not in page
    admin_client.post("/store/switch/", {"store": ""})
    assert "Eboracian" in admin_client.get("/customers/").content.decode()


def test_switch_workspace(client, workspace, other_workspace):
    membership = MembershipFactory(workspace=workspace)
    MembershipFactory(workspace=other_workspace, user=membership.user)
    make_customer(other_workspace, None, last_name="Elsewhere")
    client.force_login(membership.user)
    assert "Elsewhere" not in client.get("/customers/").content.decode()
    client.post("/workspace/switch/", {"workspace": other_workspace.pk})
    assert "Elsewhere" in client.get("/customers/").content.decode()
    assert client.post("/workspace/switch/", {"workspace": 999999}).status_code == 404


def test_login_logout_and_password_change(client, member):
    user = member(Role.SALES).user
    response = client.post(
        "/login/", {"username": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    response = client.post(
        "/password/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": "an0ther-Long-secret",
            "new_password2": "an0ther-Long-secret",
        },
    )
    assert response.status_code == 302
    client.post("/logout/")
    assert client.get("/customers/").status_code == 302
    response = client.post("/login/", {"username": user.email, "password": "an0ther-Long-secret"})
    assert response.status_code == 302 and response.url == "/"


def test_anonymous_is_sent_to_login(client):
    response = client.get("/customers/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_api_token_page_creates_and_revokes(admin_client):
    page = admin_client.post("/account/tokens/", {"name": "export"}).content.decode()
    assert "ptn_" in page and "export" in page
    from patron.api.models import ApiToken

    token = ApiToken.objects.get()
    admin_client.post(f"/account/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.exists()


def _png(size=(2, 2)) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_organization_logo_is_checked_by_content_and_size(admin_client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    org = {**BASE, "kind": "organization", "company_name": "Logo Ltd"}
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", "image/png")
    page = admin_client.post("/customers/new/", {**org, "logo": fake}).content.decode()
    assert "Upload a valid image" in page
    settings.PATRON_LOGO_MAX_BYTES = 10
    big = SimpleUploadedFile("logo.png", _png(), "image/png")
    page = admin_client.post("/customers/new/", {**org, "logo": big}).content.decode()
    assert "the largest allowed is" in page
    assert not Customer.objects.exists()
    settings.PATRON_LOGO_MAX_BYTES = 1_000_000
    good = SimpleUploadedFile("my logo.png", _png(), "image/png")
    assert admin_client.post("/customers/new/", {**org, "logo": good}).status_code == 302
    assert Customer.objects.get().logo.name.endswith(".png")


@pytest.mark.parametrize(
    "url", ["/customers/?q=²", "/customers/suggest/?q=²", "/customers/new/?organization=²"]
)
def test_unicode_digits_are_no_server_error(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_switching_to_a_unicode_digit_store_is_404(admin_client):
    assert admin_client.post("/store/switch/", {"store": "²"}).status_code == 404


def test_the_tab_named_in_the_address_opens_first(admin_client, customer):
    def opening(url: str) -> str:
        page = admin_client.get(url).content.decode()
        # The open tab is the one selected and loaded with the page (hx-trigger "load").
        selected = re.findall(r'id="tab-([\w-]+)" aria-selected="true"', page)
        loaded = re.findall(r'/tabs/([\w-]+)/"[^>]*\s+hx-trigger="load, click"', page)
        assert selected == loaded
        return selected[0]

    assert opening(f"/customers/{customer.pk}/") == "timeline"
    assert opening(f"/customers/{customer.pk}/?tab=history") == "history"
    assert opening(f"/customers/{customer.pk}/?tab=no-such-tab") == "timeline"
