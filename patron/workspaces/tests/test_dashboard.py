import re

from patron.customers import services
from patron.members.services import member_link
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


def tile_count(page: str, slug: str) -> int:
    match = re.search(rf'id="tile-{slug}"><span class="tile-count">(\d+)</span>', page)
    assert match, f"no tile {slug}"
    return int(match.group(1))


def test_tiles_count_and_follow_the_workflow(client, member, workspace, admin):
    sales = member(Role.SALES).user
    customers = [make_customer(workspace, admin, last_name=f"C{n}") for n in range(3)]
    member_link(customer=customers[0], user=sales, role="salesman", actor=admin)
    services.customer_release(customer=customers[1], actor=admin)
    client.force_login(sales)
    page = client.get("/").content.decode()
    assert tile_count(page, "linked-to-me") == 1
    assert tile_count(page, "workflow-released") == 1
    assert tile_count(page, "workflow-new") == 2
    services.customer_approve(customer=customers[1], actor=admin)
    page = client.get("/").content.decode()
    assert tile_count(page, "workflow-released") == 0
    assert tile_count(page, "workflow-active") == 1


def test_tiles_link_to_the_lists_behind_them(client, member, workspace, admin):
    released = make_customer(workspace, admin, last_name="Waiting")
    make_customer(workspace, admin, last_name="Fresh")
    services.customer_release(customer=released, actor=admin)
    client.force_login(admin)
    page = client.get("/").content.decode()
    url = re.search(r'href="([^"]+)" id="tile-workflow-released"', page).group(1)
    listed = client.get(url.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    assert "Waiting" in listed and "Fresh" not in listed


def test_recently_changed_comes_first(admin_client, workspace, admin):
    older = make_customer(workspace, admin, last_name="Older")
    make_customer(workspace, admin, last_name="Newer")
    services.customer_update(customer=older, actor=admin, data={"city": "Leeds"})
    page = admin_client.get("/").content.decode()
    assert page.index("Older") < page.index("Newer")


def test_customer_page_panel_can_be_hidden_per_user(client, member, workspace, admin):
    org = make_customer(workspace, admin, kind="organization", company_name="Panel Ltd")
    make_customer(workspace, admin, last_name="Contact", organization=org)
    sales = member(Role.SALES).user
    client.force_login(sales)
    page = client.get(f"/customers/{org.pk}/").content.decode()
    assert 'aria-label="Dashboard panel"' in page and "<strong>1</strong> Contacts" in page
    client.post("/account/preferences/", {"hide_customer_panel": "on"})
    assert (
        'aria-label="Dashboard panel"' not in client.get(f"/customers/{org.pk}/").content.decode()
    )
    client.force_login(admin)  # the setting is the user's own
    assert 'aria-label="Dashboard panel"' in client.get(f"/customers/{org.pk}/").content.decode()


def test_callbacks_due_today_tile(client, member, workspace, admin):
    from datetime import timedelta

    from django.utils import timezone

    from patron.notes.models import Note
    from patron.testing.factories import make_note

    sales = member(Role.SALES).user
    customer = make_customer(workspace, admin)
    # Halfway between now and midnight: still today, even when the test runs at 23:58.
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    due = make_note(customer, sales, callback_in=(midnight - now) / 2)
    make_note(customer, sales, callback_in=timedelta(days=3))
    client.force_login(sales)
    assert tile_count(client.get("/").content.decode(), "callbacks-due") == 1
    Note.objects.filter(pk=due.pk).update(callback_at=timezone.now() - timedelta(hours=1))
    assert tile_count(client.get("/").content.decode(), "callbacks-due") == 1  # overdue counts
