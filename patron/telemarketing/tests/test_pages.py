"""The pages: telemarkets and their script editor, running a script with a customer, the
TM Responses tab, and the roles refused."""

import pytest

from patron.telemarketing import services
from patron.telemarketing.models import Response, ScriptStep, StepBranch, Telemarket
from patron.workspaces.roles import Role


def _text(response) -> str:
    return response.content.decode()


def test_create_a_telemarket_write_its_script_and_start_it(admin_client):
    missing = admin_client.post("/telemarkets/new/", {"status": "active"})
    assert "This field is required" in _text(missing)
    created = admin_client.post("/telemarkets/new/", {"name": "Renewals", "status": "active"})
    telemarket = Telemarket.objects.get()
    assert created.url == f"/telemarkets/{telemarket.pk}/"

    page = f"/telemarkets/{telemarket.pk}/"
    refused = admin_client.post(
        f"{page}steps/add/", {"question": "Colour?", "answer_type": "choice", "choices": "Red"}
    )
    assert "A choice question needs at least two answers." in _text(refused)
    for question, kind, choices in [
        ("Renew?", "yes_no", ""),
        ("Colour?", "choice", "Red\r\nBlue"),
        ("Why?", "text", ""),
    ]:
        admin_client.post(
            f"{page}steps/add/",
            {"question": question, "answer_type": kind, "choices": choices, "required": "on"},
        )
    assert list(telemarket.steps.values_list("position", "question")) == [
        (1, "Renew?"),
        (2, "Colour?"),
        (3, "Why?"),
    ]
    first, _, last = telemarket.steps.all()
    # A branch back is refused and says why; one forward is added.
    prefix = f"branch-{first.pk}"
    admin_client.post(
        f"/script-steps/{first.pk}/branches/add/",
        {f"{prefix}-answer": "No", f"{prefix}-goes_to": last.pk},
    )
    assert StepBranch.objects.get().goes_to == last
    admin_client.post(f"/script-steps/{last.pk}/move/", {"direction": "up"})
    assert list(telemarket.steps.values_list("question", flat=True)) == [
        "Renew?",
        "Why?",
        "Colour?",
    ]

    admin_client.post(f"{page}change-step/", {"step": "started"})
    telemarket.refresh_from_db()
    assert telemarket.is_running
    listing = _text(admin_client.get("/telemarkets/"))
    assert "Renewals" in listing and "Started" in listing


def test_the_script_editor_swaps_only_the_script_with_htmx(admin_client, telemarket, steps):
    htmx = {"HTTP_HX_REQUEST": "true"}
    moved = admin_client.post(f"/script-steps/{steps[1].pk}/move/", {"direction": "up"}, **htmx)
    assert moved.status_code == 200
    body = _text(moved)
    assert body.startswith('\n<section id="script"') and "<html" not in body
    assert "Moved “Which colour?”." in body
    refused = admin_client.post(f"/script-steps/{steps[1].pk}/move/", {"direction": "up"}, **htmx)
    assert "Step 1 is already the first step." in _text(refused)
    prefix = f"branch-{steps[1].pk}"
    bad = admin_client.post(
        f"/script-steps/{steps[1].pk}/branches/add/",
        {f"{prefix}-answer": "Purple", f"{prefix}-goes_to": ""},
        **htmx,
    )
    assert "Select a valid choice. Purple is not one of the available choices." in _text(bad)
    assert not StepBranch.objects.exists()


def test_a_branch_back_is_refused_with_its_reason(admin_client, telemarket, steps):
    prefix = f"branch-{steps[1].pk}"
    page = admin_client.post(
        f"/script-steps/{steps[1].pk}/branches/add/",
        {f"{prefix}-answer": "Red", f"{prefix}-goes_to": steps[0].pk},
    )
    # Only later steps are offered, so an earlier one is not a valid choice.
    assert "Select a valid choice" in _text(page)
    assert not StepBranch.objects.exists()


def test_run_a_three_step_script_with_a_customer(admin_client, customer, telemarket, steps):
    menu = _text(admin_client.get(f"/customers/{customer.pk}/"))
    assert "Run telemarket" in menu
    listing = _text(admin_client.get(f"/customers/{customer.pk}/telemarkets/"))
    assert "Spring survey" in listing and ">Run</button>" in listing

    started = admin_client.post(
        f"/customers/{customer.pk}/telemarkets/", {"telemarket": telemarket.pk}
    )
    response = Response.objects.get()
    run = f"/tm-responses/{response.pk}/run/"
    assert started.url == run
    first = _text(admin_client.get(run))
    assert "Step 1 of 3" in first and "Interested in the offer?" in first
    assert 'type="radio" name="value" value="Yes"' in first

    to_second = admin_client.post(run, {"step": steps[0].pk, "value": "Yes"})
    assert to_second.url == f"{run}?step={steps[1].pk}"
    second = _text(admin_client.get(to_second.url))
    assert "Step 2 of 3" in second and 'value="Green"' in second
    assert f'href="{run}?step={steps[0].pk}" rel="prev"' in second  # Back
    wrong = admin_client.post(run, {"step": steps[1].pk, "value": "Purple"})
    assert "Choose one of: Red, Green, Blue." in _text(wrong)
    admin_client.post(run, {"step": steps[1].pk, "value": "Green"})
    bad_number = admin_client.post(run, {"step": steps[2].pk, "value": "lots"})
    assert "&#x27;lots&#x27; is not a number" in _text(bad_number)
    done = admin_client.post(run, {"step": steps[2].pk, "value": "3"})

    assert done.url == f"/tm-responses/{response.pk}/"
    summary = _text(admin_client.get(done.url))
    assert "Completed" in summary and "Green" in summary and "How many?" in summary
    listing = _text(admin_client.get(f"/customers/{customer.pk}/telemarkets/"))
    assert ">Run</button>" not in listing and "Edit" in listing and "Delete" in listing
    tab = _text(admin_client.get(f"/customers/{customer.pk}/tabs/tm-responses/"))
    assert "Spring survey" in tab and "3. How many?" in tab and "Completed" in tab

    # Edit: back to step 1; the answer given is shown and can be changed.
    again = _text(admin_client.get(f"{run}?step={steps[0].pk}"))
    assert 'value="Yes" id="id_value_0" checked' in again


def test_run_twice_says_the_response_exists(admin_client, admin, customer, telemarket):
    services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    again = admin_client.post(
        f"/customers/{customer.pk}/telemarkets/", {"telemarket": telemarket.pk}, follow=True
    )
    assert "Ada Lovelace already has a response to Spring survey" in _text(again)
    assert Response.objects.count() == 1


def test_delete_a_response_and_a_telemarket(admin_client, admin, customer, telemarket):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    refused = admin_client.post(f"/telemarkets/{telemarket.pk}/delete/", follow=True)
    assert "Spring survey has 1 response: delete it first" in _text(refused)
    admin_client.post(f"/tm-responses/{response.pk}/delete/")
    admin_client.post(f"/telemarkets/{telemarket.pk}/delete/")
    assert not Telemarket.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/telemarkets/new/",
        "/telemarkets/{t}/edit/",
        "/telemarkets/{t}/change-step/",
        "/telemarkets/{t}/delete/",
        "/script-steps/{s}/edit/",
        "/customers/{c}/telemarkets/",
        "/tm-responses/{r}/run/",
        "/tm-responses/{r}/delete/",
    ],
)
def test_read_only_is_refused(client, member, admin, customer, telemarket, steps, url):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    client.force_login(member(Role.READ_ONLY).user)
    url = url.format(t=telemarket.pk, s=steps[0].pk, c=customer.pk, r=response.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "X", "step": "completed"}).status_code == 403
    assert client.get(f"/telemarkets/{telemarket.pk}/").status_code == 200
    assert client.get(f"/tm-responses/{response.pk}/").status_code == 200


def test_an_agent_runs_scripts_but_does_not_edit_them(client, member, customer, telemarket, steps):
    client.force_login(member(Role.AGENT).user)
    assert client.post(f"/script-steps/{steps[0].pk}/delete/").status_code == 403
    assert ScriptStep.objects.filter(pk=steps[0].pk).exists()
    started = client.post(f"/customers/{customer.pk}/telemarkets/", {"telemarket": telemarket.pk})
    assert started.status_code == 302 and Response.objects.filter(customer=customer).exists()


def test_the_branch_form_offers_only_answers_without_a_branch(admin_client, admin, steps):
    services.branch_add(step=steps[0], answer="No", goes_to=None, actor=admin)
    page = _text(admin_client.get(f"/telemarkets/{steps[0].telemarket_id}/"))
    assert f'name="branch-{steps[0].pk}-answer"' in page and '<option value="No">' not in page
    services.branch_add(step=steps[0], answer="Yes", goes_to=steps[2], actor=admin)
    page = _text(admin_client.get(f"/telemarkets/{steps[0].telemarket_id}/"))
    assert f'name="branch-{steps[0].pk}-answer"' not in page
    assert "On “Yes” go to step 3. How many?" in page
