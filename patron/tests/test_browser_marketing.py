"""Browser test of issue 4's path: marketing that respects consent.

A manager defines a trait and a suppression type, starts an activity and fulfils it for a
customer, runs a telemarketing script with another, and builds an email list from a search,
where the suppressed customer is left out and the page says why.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.campaigns.models import Activity, Fulfilment
from patron.lists.models import CustomerList
from patron.marketing.models import Suppression, Trait
from patron.telemarketing.models import Response, ScriptStep
from patron.telemarketing.services import step_add, telemarket_create
from patron.testing.factories import MembershipFactory, make_customer
from patron.tests.browsing import detail_url, log_in, menu_link, open_tab, tab_content
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser


def left_menu(page: Page):
    return page.get_by_role("navigation", name="Actions")


def test_marketing_that_respects_consent(open_page, acme):
    manager = MembershipFactory(workspace=acme, role=Role.MANAGER).user
    ada = make_customer(
        acme,
        manager,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@engines.example",
        city="London",
    )
    charles = make_customer(
        acme,
        manager,
        first_name="Charles",
        last_name="Babbage",
        email="charles@engines.example",
        city="London",
    )
    make_customer(acme, manager, first_name="Mary", last_name="Somerville", city="Bath")
    survey = telemarket_create(workspace=acme, actor=manager, data={"name": "Engine survey"})
    step_add(
        telemarket=survey,
        actor=manager,
        data={"question": "Would you use an engine?", "answer_type": ScriptStep.AnswerType.YES_NO},
    )
    step_add(
        telemarket=survey,
        actor=manager,
        data={"question": "How many engines?", "answer_type": ScriptStep.AnswerType.NUMBER},
    )
    page = open_page()
    log_in(page, manager.email)

    # A trait and a suppression type of the workspace's own.
    page.goto("/setup/traits/")
    page.get_by_label("Name").fill("Engineer")
    page.get_by_label("Description").fill("Builds machines")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="Engineer", exact=True)).to_be_visible()
    engineer = Trait.objects.get(workspace=acme, name="Engineer")
    assert engineer.description == "Builds machines"

    page.goto("/setup/suppression-types/")
    page.get_by_label("Name").fill("Asked to be left alone")
    page.get_by_label("Keeps the customer off").select_option(label="Email lists")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="Asked to be left alone")).to_be_visible()

    # Both customers are engineers; Charles asks not to be emailed.
    for customer in (ada, charles):
        page.goto(f"/customers/{customer.pk}/")
        left_menu(page).get_by_role("link", name="Add/remove traits").click()
        page.get_by_label("Engineer").check()
        page.get_by_role("button", name="Save").click()
        # Back on the customer, with the tab of what was just saved open.
        expect(page).to_have_url(detail_url(customer, tab="traits"))
        expect(page.get_by_role("tab", name="Traits")).to_have_attribute("aria-selected", "true")
        expect(tab_content(page)).to_contain_text("Builds machines")
    left_menu(page).get_by_role("link", name="Add suppression").click()
    suppression_type = page.get_by_label("Type")
    suppression_type.select_option(
        suppression_type.locator("option", has_text="Asked to be left alone").get_attribute("value")
    )
    page.get_by_role("button", name="Add suppression").click()
    expect(page).to_have_url(detail_url(charles, tab="suppressions"))
    expect(tab_content(page)).to_contain_text("Asked to be left alone")
    assert Suppression.objects.get().customer == charles

    # An activity, started, and a fulfilment for Ada under it.
    menu_link(page, "Marketing").click()
    page.get_by_role("link", name="New activity").click()
    page.get_by_label("Activity", exact=True).fill("Engine brochure")
    page.get_by_label("Reference code").fill("ENG1")
    page.get_by_role("button", name="Save").click()
    activity = Activity.objects.get(workspace=acme)
    expect(
        page.get_by_role("heading", name=f"Activity {activity.number} · Engine brochure")
    ).to_be_visible()
    page.get_by_label("Change step").select_option(label="Started")
    page.get_by_role("button", name="Change step").click()
    expect(page.get_by_text("Running")).to_be_visible()

    page.goto(f"/customers/{ada.pk}/")
    left_menu(page).get_by_role("link", name="Create fulfilment").click()
    page.get_by_role("row", name=re.compile("Engine brochure")).get_by_role(
        "link", name="Select"
    ).click()
    page.get_by_label("Type").fill("Send brochure")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(detail_url(ada, tab="fulfilments"))
    fulfilments_tab = tab_content(page)
    expect(fulfilments_tab.locator("tbody tr")).to_contain_text("Send brochure")
    expect(fulfilments_tab.locator("tbody tr")).to_contain_text("ENG1")
    assert Fulfilment.objects.get().activity == activity

    # The survey, once started, is run with Ada one question at a time.
    page.goto(f"/telemarkets/{survey.pk}/")
    page.get_by_role("link", name="Change step").click()
    page.get_by_label("Started").check()
    page.get_by_role("button", name="Change step").click()
    page.goto(f"/customers/{ada.pk}/")
    left_menu(page).get_by_role("link", name="Run telemarket").click()
    page.get_by_role("row", name=re.compile("Engine survey")).get_by_role(
        "button", name="Run"
    ).click()
    expect(page.get_by_text("Step 1 of 2")).to_be_visible()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    page.get_by_label("How many engines?").fill("lots")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".errorlist")).to_be_visible()  # not a number: asked again
    page.get_by_label("How many engines?").fill("2")
    page.get_by_role("button", name="Next").click()
    response = Response.objects.get()
    assert response.state == Response.State.COMPLETED
    assert sorted(response.answers.values_list("value", flat=True)) == ["2", "Yes"]
    page.goto(f"/customers/{ada.pk}/")
    responses_tab = open_tab(page, "TM Responses")
    expect(responses_tab.locator("tbody tr")).to_contain_text("Engine survey")
    expect(responses_tab.locator("tbody tr")).to_contain_text("Completed")

    # An email list of the London engineers: Charles is suppressed, so only Ada joins.
    page.goto("/lists/")
    page.get_by_role("link", name="Create customer list").click()
    page.get_by_label("List name").fill("Engine newsletter")
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("City/Suburb").fill("London")
    page.get_by_role("button", name="Count matches").click()
    expect(page.get_by_role("status")).to_contain_text("2 customers match")
    page.get_by_role("button", name="Next").click()
    always = page.get_by_role("group", name=re.compile("Always applied"))
    expect(always).to_contain_text("Asked to be left alone")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Engineer").check()
    page.get_by_role("button", name="Next").click()
    counts = page.locator("#counts")
    expect(counts).to_contain_text("The search matches 2 customers.")
    expect(page.locator("#eligible-count")).to_have_text("1")
    expect(counts).to_contain_text("1 suppressed")
    page.get_by_role("button", name="Create the list").click()

    newsletter = CustomerList.objects.get(workspace=acme)
    assert list(newsletter.entries.values_list("customer", flat=True)) == [ada.pk]
    assert list(newsletter.traits.all()) == [engineer]
    expect(page.get_by_role("heading", name="Engine newsletter")).to_be_visible()
    page.get_by_role("tab", name="Customers").click()
    members = page.locator("#tab-panel tbody tr")
    expect(members).to_have_count(1)
    expect(members).to_contain_text("Ada Lovelace")

    # On Charles's page the list cannot be ticked, and it says why.
    page.goto(f"/customers/{charles.pk}/")
    left_menu(page).get_by_role("link", name="Add/remove from a customer list").click()
    row = page.get_by_role("row", name=re.compile("Engine newsletter"))
    expect(row.get_by_role("checkbox")).to_be_disabled()
    expect(row).to_contain_text("Not available")
    expect(row).to_contain_text("Asked to be left alone")
    page.goto(f"/customers/{ada.pk}/")
    lists_tab = open_tab(page, "Customer Lists")
    expect(lists_tab.locator("tbody tr")).to_contain_text("Engine newsletter")
