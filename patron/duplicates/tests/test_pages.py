import re

from patron.duplicates.models import DuplicateCandidate, NotDuplicate
from patron.workspaces.roles import Role


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_scan_button_fills_the_review_queue_likeliest_first(admin_client, twins, committed):
    jane, _, _ = twins
    empty = _html(admin_client.get("/duplicates/"))
    assert "No scan yet" in empty and "No pairs to review." in empty
    with committed(execute=True):
        response = admin_client.post("/duplicates/scan/")
    assert response.url == "/duplicates/"
    page = _html(admin_client.get("/duplicates/"))
    assert "Scanned 3 customers" in page and "1 likely duplicate." in page
    assert f'Jane Whitfield <span class="muted">no. {jane.number}</span>' in page
    assert "surname 1 typo" in page
    assert f'href="/duplicates/{DuplicateCandidate.objects.get().pk}/"' in page


def test_scan_progress_is_polled_while_it_runs(admin_client, workspace):
    from patron.duplicates.models import DuplicateScan

    scan = DuplicateScan.objects.create(
        workspace=workspace, state="running", customer_count=200, read_count=50
    )
    part = _html(admin_client.get(f"/duplicates/scans/{scan.pk}/", headers={"HX-Request": "true"}))
    assert 'hx-trigger="every 1s"' in part
    assert "Reading customers: 50 of 200" in part
    assert '<progress value="22"' in part
    queue = _html(admin_client.get("/duplicates/"))
    assert f"/duplicates/scans/{scan.pk}/?from=queue" in queue
    assert "disabled>Scan for duplicates" in queue
    DuplicateScan.objects.filter(pk=scan.pk).update(state="done", read_count=200)
    done = admin_client.get(
        f"/duplicates/scans/{scan.pk}/?from=queue", headers={"HX-Request": "true"}
    )
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in done.content.decode()


def test_pair_page_sets_both_side_by_side_and_highlights_differences(
    admin_client, twins, committed
):
    with committed(execute=True):
        admin_client.post("/duplicates/scan/")
    pair = DuplicateCandidate.objects.get()
    page = _html(admin_client.get(f"/duplicates/{pair.pk}/"))
    assert "date of birth with day and month swapped" in page
    assert (
        '<tr class="differs"><th scope="row">Last name</th> <td><mark>Whitfield</mark></td>' in page
    )
    assert "<td><mark>CRM-17</mark></td><td><mark>—</mark></td>" in page
    assert '<tr><th scope="row">First name</th> <td>Jane</td><td>Jane</td></tr>' in page
    assert "Not a duplicate" in page


def test_not_a_duplicate_from_the_pair_page(admin_client, twins, committed):
    jane, janet, _ = twins
    with committed(execute=True):
        admin_client.post("/duplicates/scan/")
    pair = DuplicateCandidate.objects.get()
    response = admin_client.post(f"/duplicates/{pair.pk}/not-duplicate/", follow=True)
    page = _html(response)
    assert "the scan will not propose them again" in page
    assert "No pairs to review." in page
    assert NotDuplicate.objects.filter(customer_a=jane, customer_b=janet).exists()
    history = _html(admin_client.get(f"/customers/{jane.pk}/tabs/history/"))
    assert "Not a duplicate of" in history
    again = _html(admin_client.post(f"/duplicates/{pair.pk}/not-duplicate/", follow=True))
    assert "already judged" in again


def test_only_managers_and_admins_review_duplicates(client, member, twins):
    sales = member(Role.SALES).user
    client.force_login(sales)
    assert client.get("/duplicates/").status_code == 403
    assert client.post("/duplicates/scan/").status_code == 403
    assert "Duplicates</a>" not in client.get("/").content.decode()
    client.force_login(member(Role.MANAGER).user)
    assert client.get("/duplicates/").status_code == 200
    assert "Duplicates</a>" in client.get("/").content.decode()
