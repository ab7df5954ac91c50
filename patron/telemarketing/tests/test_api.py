"""The API: telemarkets with their scripts, editing steps and branches, and responses
answered step by step."""

from patron.conftest import api_client_for
from patron.telemarketing import services
from patron.telemarketing.models import Response, ScriptStep, Telemarket
from patron.workspaces.roles import Role


def _errors(response) -> list[tuple[str | None, str]]:
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


def test_write_a_script_and_start_it(api):
    created = api.post("/api/v1/telemarkets/", {"name": "Renewals"}, format="json")
    assert created.status_code == 201 and created.json()["step"] == "planned"
    pk = created.json()["id"]
    duplicate = api.post("/api/v1/telemarkets/", {"name": "RENEWALS"}, format="json")
    assert duplicate.status_code == 400
    assert "A telemarket with this name already exists." in str(_errors(duplicate))

    ids = []
    for question, kind, choices in [
        ("Renew?", "yes_no", ""),
        ("Plan?", "choice", "Basic\nPlus"),
        ("Seats?", "number", ""),
    ]:
        step = api.post(
            "/api/v1/script-steps/",
            {"telemarket": pk, "question": question, "answer_type": kind, "choices": choices},
            format="json",
        )
        assert step.status_code == 201, step.json()
        ids.append(step.json()["id"])
    assert [
        s["position"] for s in api.get(f"/api/v1/script-steps/?telemarket={pk}").json()["results"]
    ] == [1, 2, 3]

    backwards = api.post(
        "/api/v1/step-branches/",
        {"step": ids[1], "answer": "Basic", "goes_to": ids[0]},
        format="json",
    )
    assert backwards.status_code == 400
    assert _errors(backwards) == [
        (
            "goes_to",
            "Choose a step after step 2 (or the end): a jump back could make the script loop.",
        )
    ]
    branch = api.post(
        "/api/v1/step-branches/", {"step": ids[0], "answer": "no", "goes_to": None}, format="json"
    )
    assert branch.status_code == 201 and branch.json()["answer"] == "No"

    moved = api.post(f"/api/v1/script-steps/{ids[2]}/move/", {"direction": "up"}, format="json")
    assert moved.json()["position"] == 2
    started = api.post(f"/api/v1/telemarkets/{pk}/change-step/", {"step": "started"}, format="json")
    assert started.json()["is_running"] is True
    script = api.get(f"/api/v1/telemarkets/{pk}/").json()["steps"]
    assert [(s["position"], s["question"]) for s in script] == [
        (1, "Renew?"),
        (2, "Seats?"),
        (3, "Plan?"),
    ]
    assert script[0]["branches"] == [
        {"id": branch.json()["id"], "step": ids[0], "answer": "No", "goes_to": None}
    ]


def test_run_a_response_through_the_api(member, admin, customer, telemarket, steps):
    api = api_client_for(member(Role.AGENT))
    not_running = services.telemarket_create(
        workspace=telemarket.workspace, actor=admin, data={"name": "Later"}
    )
    refused = api.post(
        "/api/v1/tm-responses/",
        {"telemarket": not_running.pk, "customer": customer.pk},
        format="json",
    )
    assert refused.status_code == 400
    assert "Later is not running (Active, Planned)" in refused.json()["errors"][0]["message"]

    created = api.post(
        "/api/v1/tm-responses/",
        {"telemarket": telemarket.pk, "customer": customer.pk},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["state"], body["step_reached"]) == ("in_progress", steps[0].pk)
    url = f"/api/v1/tm-responses/{body['id']}/answer/"

    again = api.post(
        "/api/v1/tm-responses/",
        {"telemarket": telemarket.pk, "customer": customer.pk},
        format="json",
    )
    assert again.status_code == 400 and "already has a response" in str(_errors(again))

    first = api.post(url, {"step": steps[0].pk, "value": "yes"}, format="json").json()
    assert first["next_step"]["id"] == steps[1].pk
    invalid = api.post(url, {"step": steps[1].pk, "value": "Purple"}, format="json")
    assert _errors(invalid) == [("value", "Choose one of: Red, Green, Blue.")]
    api.post(url, {"step": steps[1].pk, "value": "Blue"}, format="json")
    last = api.post(url, {"step": steps[2].pk, "value": 7}, format="json").json()
    assert last["next_step"] is None
    assert last["response"]["state"] == "completed"
    assert [(a["position"], a["value"]) for a in last["response"]["answers"]] == [
        (1, "Yes"),
        (2, "Blue"),
        (3, "7"),
    ]

    listed = api.get("/api/v1/tm-responses/", {"customer": customer.pk}).json()["results"]
    assert [r["telemarket"] for r in listed] == [telemarket.pk]
    assert api.delete(f"/api/v1/tm-responses/{body['id']}/").status_code == 204
    assert not Response.objects.exists()


def test_roles_and_refusals(member, customer, telemarket, steps):
    read_only = api_client_for(member(Role.READ_ONLY))
    assert read_only.get("/api/v1/telemarkets/").status_code == 200
    refused = read_only.post(
        "/api/v1/tm-responses/",
        {"telemarket": telemarket.pk, "customer": customer.pk},
        format="json",
    )
    assert refused.status_code == 403
    agent = api_client_for(member(Role.AGENT))
    assert agent.delete(f"/api/v1/script-steps/{steps[0].pk}/").status_code == 403
    assert (
        agent.patch(
            f"/api/v1/telemarkets/{telemarket.pk}/", {"name": "X"}, format="json"
        ).status_code
        == 403
    )
    assert ScriptStep.objects.count() == 3 and Telemarket.objects.get().name == "Spring survey"


def test_a_telemarket_with_responses_is_not_deleted(api, admin, customer, telemarket):
    services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    refused = api.delete(f"/api/v1/telemarkets/{telemarket.pk}/")
    assert refused.status_code == 400
    assert _errors(refused) == [
        (None, "Spring survey has 1 response: delete it first, or make the telemarket Inactive.")
    ]
    assert Telemarket.objects.exists()
