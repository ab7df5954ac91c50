"""Workspace isolation, proved generically: every URL pattern and API route, walked by a
member of another workspace, answers 404 for the first workspace's objects and never
shows its data.

A new URL with an id in it fails `test_every_url_with_an_id_is_covered` until FOREIGN_OBJECTS
says which kind of object the id names, so no page or endpoint can skip this test.
"""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver

from patron.api.models import ApiToken
from patron.attachments.models import Attachment
from patron.calls.models import ColdCall
from patron.calls.services import cold_call_log
from patron.campaigns import services as campaign_services
from patron.campaigns.models import Activity, Campaign, Fulfilment, Status, Step
from patron.cases import services as case_services
from patron.cases.models import Case, ReasonCode
from patron.conftest import api_client_for
from patron.customers.models import BulkDeletion, Category, Tag
from patron.duplicates.merge import merge_customers
from patron.duplicates.models import CustomerMerge, DuplicateCandidate, DuplicateScan
from patron.exchange.models import ImportCheck, ImportFailure, ImportJob, ImportMapping
from patron.lists import services as list_services
from patron.lists.models import CustomerList, ListEntry
from patron.loyalty import services as loyalty_services
from patron.loyalty.models import CustomerHouseAccount, HouseAccount, LoyaltyEntry
from patron.mail.models import SentEmail
from patron.marketing import services as marketing_services
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType, Trait
from patron.members.models import CustomerMember
from patron.members.services import member_link
from patron.notes.models import Note
from patron.portal.models import PortalAccess
from patron.portal.services import portal_access_grant
from patron.sales import services as sales_services
from patron.sales.models import CustomerPriceLevel, Item, PriceLevel, Quote, ServiceContract
from patron.stream.models import Comment, Post
from patron.stream.services import comment_create, post_create
from patron.telemarketing import services as tm_services
from patron.telemarketing.models import Answer, ScriptStep, StepBranch, Telemarket
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.testing.files import make_attachment
from patron.thirdparties.models import ThirdParty
from patron.updates.models import BulkUpdate
from patron.updates.services import bulk_update_preview
from patron.workspaces.models import Membership
from patron.workspaces.roles import Role

SECRET_NAME = "Zebedee Quixotic-Secret"


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


ALL_PATTERNS = [
    (name, route, entry)
    for name, route, entry in _walk(get_resolver().url_patterns)
    # The customer portal never accepts a staff login: patron/portal/tests/test_isolation.py
    # walks its pages logged in as contacts of another organization and workspace.
    if not route.startswith(("static/", "portal/"))
]

# Which object each URL's <pk> names; the test creates it in the victim's workspace.
FOREIGN_OBJECTS = {
    "customers:bulk_deletion": "bulk_deletion",
    "api:bulkdeletion-": "bulk_deletion",
    "customers:": "customer",
    "api:customer-": "customer",
    "api:tag-": "tag",
    "api:category-": "category",
    "api:store-": "store",
    "token_revoke": "token",
    "setup_member_change": "membership",
    "stream:customer_": "customer",  # the Activity tab's posts and Post: the customer's pk
    "stream:post": "post",  # a post, and commenting on it
    "stream:comment": "comment",
    "api:post-": "post",
    "api:comment-": "comment",
    "thirdparties:add": "customer",
    "thirdparties:": "third_party",
    "api:thirdparty-": "third_party",
    "calls:for_customer": "customer",
    "calls:": "call",
    "api:coldcall-": "call",
    "members:salesmen": "customer",
    "members:add": "customer",
    "members:remove": "member",
    "api:customermember-": "member",
    "mail:compose": "customer",  # Send email: the customer's pk
    "mail:": "email",
    "api:email-": "email",
    "attachments:create": "customer",  # Add Attachment: the customer's pk
    "attachments:": "attachment",
    "api:attachment-": "attachment",
    "setup_label_delete": "tag",
    "notes:create": "customer",  # Add Note: the customer's pk
    "notes:": "note",
    "api:note-": "note",
    "telemarketing:customer_telemarkets": "customer",  # Run telemarket: the customer's pk
    "telemarketing:telemarket_": "telemarket",
    "telemarketing:step_": "script_step",
    "telemarketing:branch_": "branch",
    "telemarketing:response_": "tm_response",
    "api:telemarket-": "telemarket",
    "api:scriptstep-": "script_step",
    "api:stepbranch-": "branch",
    "api:tmresponse-": "tm_response",
    "campaigns:fulfilment_create": "customer",  # Create fulfilment: the customer's pk
    "campaigns:campaign_": "campaign",
    "campaigns:activity_": "activity",
    "campaigns:fulfilment_": "fulfilment",
    "api:campaign-": "campaign",
    "api:activity-": "activity",
    "api:fulfilment-": "fulfilment",
    "lists:for_customer": "customer",  # Add/remove from a customer list: the customer's pk
    "lists:": "customer_list",
    "api:customerlist-": "customer_list",
    "marketing:customer_": "customer",  # Add suppression, Add/remove traits: the customer's pk
    "marketing:suppression_type_": "suppression_type",
    "marketing:suppression_delete": "suppression",
    "marketing:trait_": "trait",
    "api:trait-": "trait",
    "api:suppressiontype-": "suppression_type",
    "api:suppression-": "suppression",
    "api:customertrait-": "customer_trait",
    "updates:": "bulk_update",
    "api:bulkupdate-": "bulk_update",
    "exchange:list_": "customer_list",  # Export a customer list's members
    "exchange:import_": "import_job",  # the import wizard's steps, progress and report
    "api:importjob-check": "import_draft",  # a file kept with its check, not started
    "api:importjob-start": "import_draft",
    "api:importjob-": "import_job",
    "api:importmapping-": "import_mapping",
    # Create quote, Price level, Add service contract: the customer's pk.
    "sales:quote_create": "customer",
    "sales:customer_price_level": "customer",
    "sales:contract_create": "customer",
    "sales:item_": "item",
    "sales:price_level_": "price_level",
    "sales:quote_": "quote",
    "sales:line_": "quote_line",
    "sales:contract_": "service_contract",
    "api:item-": "item",
    "api:pricelevel-": "price_level",
    "api:customerpricelevel-": "customer_price_level",
    "api:quote-": "quote",
    "api:quoteline-": "quote_line",
    "api:servicecontract-": "service_contract",
    "cases:create": "customer",  # Create a case: the customer's pk
    "cases:reason_code_": "reason_code",
    "cases:": "case",
    "api:reasoncode-": "reason_code",
    "api:case-": "case",
    "loyalty:customer_": "customer",  # Add/Redeem/Adjust points, House accounts
    "loyalty:house_account_": "house_account",
    "api:loyaltyentry-": "loyalty_entry",
    "api:loyaltybalance-": "customer",  # a customer's balance: the customer's pk
    "api:houseaccount-": "house_account",
    "api:customerhouseaccount-": "customer_house_account",
    "duplicates:scan": "duplicate_scan",
    "duplicates:merge_start": "customer",  # Merge with…: the customer's pk
    "duplicates:merge_": "customer_merge",  # a merge's page and its Undo
    "duplicates:": "duplicate_candidate",
    "api:duplicatecandidate-": "duplicate_candidate",
    "api:duplicatescan-": "duplicate_scan",
    "api:customermerge-": "customer_merge",
    "portal_access:customer_": "portal_contact",  # a person's Portal access actions
    "api:portalaccess-": "portal_contact",  # by the contact's customer id
}


def _kind_for(name: str) -> str | None:
    for prefix, kind in FOREIGN_OBJECTS.items():
        if name.startswith(prefix):
            return kind
    return None


def _has_id(entry) -> bool:
    # Path converters (<int:pk>) for pages; DRF's routers write regexes ((?P<pk>...)).
    return "pk" in entry.pattern.converters or "(?P<pk>" in str(entry.pattern)


def _url(route: str, pk: int) -> str:
    url = re.sub(r"\(\?P<pk>[^)]*\)|<int:pk>", str(pk), route)
    url = url.removeprefix("^").replace("^", "").replace("$", "")
    url = url.replace("<slug:tab>", "history").replace("<setup_kind:kind>", "tags")
    return "/" + url


@pytest.fixture
def victim(workspace):
    """The workspace whose data must not leak, with a customer and an API token."""
    owner = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    organization = make_customer(
        workspace, owner.user, kind="organization", company_name=SECRET_NAME
    )
    token, _ = ApiToken.issue(membership=owner, name="victim token")
    tag = Tag.objects.create(workspace=workspace, name=SECRET_NAME)
    member = member_link(customer=organization, user=owner.user, role="salesman", actor=None)
    email = SentEmail.objects.create(
        workspace=workspace,
        customer=organization,
        to_address="secret@victim.example",
        subject=SECRET_NAME,
        body=SECRET_NAME,
        sender=owner.user,
        status=SentEmail.Status.SENT,
    )
    post = post_create(
        workspace=workspace, actor=owner.user, data={"customer": organization, "body": SECRET_NAME}
    )
    comment = comment_create(
        workspace=workspace, actor=owner.user, data={"post": post, "body": SECRET_NAME}
    )
    call = cold_call_log(
        workspace=workspace, actor=owner.user, data={"outcome": "interested"}, customer=organization
    )
    category = Category.objects.create(workspace=workspace, name=SECRET_NAME)
    store = workspace.stores.create(name=SECRET_NAME)
    note = make_note(organization, owner.user, subject=SECRET_NAME, callback_in=timedelta(days=1))
    attachment = make_attachment(organization, owner.user, description=SECRET_NAME)
    telemarket = tm_services.telemarket_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME}
    )
    script_step = tm_services.step_add(
        telemarket=telemarket, actor=None, data={"question": SECRET_NAME, "answer_type": "yes_no"}
    )
    tm_services.step_add(
        telemarket=telemarket, actor=None, data={"question": "More?", "answer_type": "text"}
    )
    branch = tm_services.branch_add(step=script_step, answer="No", goes_to=None, actor=None)
    tm_services.telemarket_change_step(telemarket=telemarket, step="started", actor=None)
    tm_response = tm_services.response_start(
        telemarket=telemarket, customer=organization, actor=None
    )
    tm_services.response_answer(response=tm_response, step=script_step, value="Yes", actor=None)
    campaign = campaign_services.campaign_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME}
    )
    activity = campaign_services.activity_create(
        workspace=workspace,
        actor=None,
        data={"name": SECRET_NAME, "campaign": campaign, "step": Step.STARTED},
    )
    fulfilment = campaign_services.fulfilment_create(
        customer=organization, activity=activity, fulfilment_type=SECRET_NAME, actor=None
    )
    trait = marketing_services.trait_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME}
    )
    suppression_type = marketing_services.suppression_type_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME, "blocks": "all"}
    )
    suppression = marketing_services.suppression_add(
        customer=organization, suppression_type=suppression_type, note=SECRET_NAME, actor=None
    )
    customer_trait = marketing_services.customer_trait_add(
        customer=organization, trait=trait, actor=None
    )
    customer_list = list_services.list_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME, "description": SECRET_NAME}
    )
    # Straight in: the organization's "all lists" suppression above would refuse it.
    ListEntry.objects.create(customer_list=customer_list, customer=organization, via="hand")
    bulk_update = bulk_update_preview(
        workspace=workspace,
        kind="suppressions",
        file_name=f"{SECRET_NAME}.csv",
        content=f"{organization.number},Do not email\n",
        actor=None,
    ).bulk_update
    bulk_deletion = BulkDeletion.objects.create(
        workspace=workspace, requested_by=owner.user, query=f"q={SECRET_NAME}", count=1
    )
    import_job = ImportJob.objects.create(
        workspace=workspace,
        created_by=owner.user,
        file_name=f"{SECRET_NAME}.csv",
        status=ImportJob.Status.DONE,
        options={"usage": ""},
        rows=1,
        failed=1,
        headers=["Last name"],
    )
    ImportFailure.objects.create(job=import_job, row=2, cells=[SECRET_NAME], reason="bad")
    import_draft = ImportJob.objects.create(
        workspace=workspace,
        created_by=owner.user,
        file_name=f"{SECRET_NAME}.csv",
        status=ImportJob.Status.QUEUED,
        via=ImportJob.Via.API,  # the API's check/ and start/ answer for it in its own workspace
    )
    ImportCheck.objects.create(
        job=import_draft,
        status=ImportCheck.Status.DONE,
        fields=["last_name"],
        options={"usage": ""},
        problems=[{"row": 2, "column": "Last name", "reason": SECRET_NAME}],
    )
    import_mapping = ImportMapping.objects.create(
        workspace=workspace, name=SECRET_NAME, mapping={SECRET_NAME: "last_name"}
    )
    item = sales_services.item_create(
        workspace=workspace,
        actor=None,
        data={"code": "SECRET", "name": SECRET_NAME, "unit_price": "12.00"},
    )
    price_level = sales_services.price_level_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME, "discount": "5"}
    )
    customer_price_level = sales_services.customer_price_level_set(
        customer=organization, price_level=price_level, actor=None
    )
    quote = sales_services.quote_create(customer=organization, actor=None)
    quote_line = sales_services.quote_line_add(quote=quote, actor=None, data={"item": item})
    service_contract = sales_services.contract_create(
        customer=organization,
        actor=None,
        data={
            "name": SECRET_NAME,
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "supported_items": [item],
        },
    )
    reason_code = case_services.reason_code_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME}
    )
    case = case_services.case_create(
        customer=organization,
        actor=owner.user,
        data={"subject": SECRET_NAME, "reason_code": reason_code, "assignee": owner.user},
    )
    loyalty_entry = loyalty_services.loyalty_earn(
        customer=organization, points=100, reason=SECRET_NAME, actor=None
    )
    house_account = loyalty_services.house_account_create(
        workspace=workspace, actor=None, data={"name": SECRET_NAME, "credit_limit": "100.00"}
    )
    customer_house_account = loyalty_services.customer_house_account_add(
        customer=organization, house_account=house_account, actor=None
    )
    twin = make_customer(workspace, owner.user, kind="organization", company_name=SECRET_NAME)
    duplicate_scan = DuplicateScan.objects.create(workspace=workspace, requested_by=owner.user)
    duplicate_candidate = DuplicateCandidate.objects.create(
        workspace=workspace,
        scan=duplicate_scan,
        customer_a=organization,
        customer_b=twin,
        score=0.99,
        reasons=[SECRET_NAME],
    )
    merged_away = make_customer(
        workspace, owner.user, kind="organization", company_name=SECRET_NAME
    )
    customer_merge = merge_customers(
        workspace=workspace, actor=owner.user, survivor=twin, others=[merged_away], choices={}
    )
    portal_contact = make_customer(
        workspace, owner.user, last_name=SECRET_NAME, email="secret@victim.example"
    )
    portal_access_grant(customer=portal_contact, actor=None)
    return {
        "portal_contact": portal_contact,
        "customer_merge": customer_merge,
        "duplicate_scan": duplicate_scan,
        "duplicate_candidate": duplicate_candidate,
        "reason_code": reason_code,
        "case": case,
        "loyalty_entry": loyalty_entry,
        "house_account": house_account,
        "customer_house_account": customer_house_account,
        "bulk_deletion": bulk_deletion,
        "import_job": import_job,
        "import_draft": import_draft,
        "import_mapping": import_mapping,
        "item": item,
        "price_level": price_level,
        "customer_price_level": customer_price_level,
        "quote": quote,
        "quote_line": quote_line,
        "service_contract": service_contract,
        "bulk_update": bulk_update,
        "customer_list": customer_list,
        "trait": trait,
        "suppression_type": suppression_type,
        "suppression": suppression,
        "customer_trait": customer_trait,
        "telemarket": telemarket,
        "script_step": script_step,
        "branch": branch,
        "tm_response": tm_response,
        "campaign": campaign,
        "activity": activity,
        "fulfilment": fulfilment,
        "note": note,
        "customer": organization,
        "attachment": attachment,
        "token": token,
        "membership": owner,
        "tag": tag,
        "category": category,
        "member": member,
        "email": email,
        "call": call,
        "post": post,
        "comment": comment,
        "third_party": ThirdParty.objects.create(
            workspace=workspace,
            customer=organization,
            name=SECRET_NAME,
            contract_no="S-1",
            contract_start="2026-01-01",
        ),
        "store": store,
    }


@pytest.fixture(params=[Role.ADMIN, Role.READ_ONLY])
def intruder(request, other_workspace):
    """A member of another workspace: an admin (the most a stranger can be) and a read-only
    user (refused every change, so a refusal must not come before the 404)."""
    return MembershipFactory(workspace=other_workspace, role=request.param)


@pytest.fixture
def foreign_admin(other_workspace):
    """An admin of another workspace, who may post forms and API writes there."""
    return MembershipFactory(workspace=other_workspace, role=Role.ADMIN)


def test_every_url_with_an_id_is_covered():
    uncovered = [name for name, _, entry in ALL_PATTERNS if _has_id(entry) and not _kind_for(name)]
    assert not uncovered, f"Say in FOREIGN_OBJECTS which object these URLs name: {uncovered}"


@pytest.mark.parametrize(
    ("name", "route"),
    [(name, route) for name, route, entry in ALL_PATTERNS if _has_id(entry)],
)
def test_foreign_ids_answer_404(client, victim, other_workspace, name, route):
    """Every method, by the same two strangers as the `intruder` fixture. The victim's objects
    are built once per URL rather than once per method and role: built ten times over, they
    were a third of the whole suite's time."""
    url = _url(route, victim[_kind_for(name)].pk)
    for role in (Role.ADMIN, Role.READ_ONLY):
        intruder = MembershipFactory(workspace=other_workspace, role=role)
        for method in ("get", "post", "put", "patch", "delete"):
            _assert_refused_and_unchanged(client, victim, intruder, name, url, method)


def _assert_refused_and_unchanged(client, victim, intruder, name, url, method):
    if name.startswith("api:"):
        response = getattr(api_client_for(intruder), method)(url, {}, format="json")
        allowed = 405
    else:
        client.force_login(intruder.user)
        response = getattr(client, method)(url)
        allowed = 405
    assert response.status_code in (404, allowed), (url, method, response.status_code)
    if response.status_code == allowed:
        return
    victim["customer"].refresh_from_db()
    assert victim["customer"].deleted_at is None and victim["customer"].archived_at is None
    assert ApiToken.objects.filter(pk=victim["token"].pk).exists()
    assert Tag.objects.filter(pk=victim["tag"].pk).exists()
    assert CustomerMember.objects.filter(pk=victim["member"].pk).exists()
    assert SentEmail.objects.filter(pk=victim["email"].pk, status=SentEmail.Status.SENT).exists()
    assert ColdCall.objects.filter(pk=victim["call"].pk).exists()
    assert Post.objects.filter(pk=victim["post"].pk, body=SECRET_NAME, edited_at=None).exists()
    assert Comment.objects.filter(pk=victim["comment"].pk, body=SECRET_NAME).exists()
    assert ThirdParty.objects.filter(pk=victim["third_party"].pk).exists()
    assert Membership.objects.filter(pk=victim["membership"].pk).exists()
    assert Note.objects.filter(pk=victim["note"].pk, subject=SECRET_NAME).exists()
    assert Telemarket.objects.filter(
        pk=victim["telemarket"].pk, name=SECRET_NAME, step="started"
    ).exists()
    assert list(
        ScriptStep.objects.filter(telemarket=victim["telemarket"]).values_list(
            "position", "question"
        )
    ) == [(1, SECRET_NAME), (2, "More?")]
    assert StepBranch.objects.filter(pk=victim["branch"].pk, answer="No").exists()
    assert Answer.objects.filter(response=victim["tm_response"], value="Yes").exists()
    assert Campaign.objects.filter(pk=victim["campaign"].pk, name=SECRET_NAME).exists()
    assert Activity.objects.filter(
        pk=victim["activity"].pk, step=Step.STARTED, status=Status.ACTIVE, campaign__isnull=False
    ).exists()
    assert Fulfilment.objects.filter(
        pk=victim["fulfilment"].pk, fulfilment_type=SECRET_NAME
    ).exists()
    assert Trait.objects.filter(pk=victim["trait"].pk, name=SECRET_NAME).exists()
    assert SuppressionType.objects.filter(
        pk=victim["suppression_type"].pk, name=SECRET_NAME, blocks="all"
    ).exists()
    assert Suppression.objects.filter(pk=victim["suppression"].pk, note=SECRET_NAME).exists()
    assert CustomerTrait.objects.filter(pk=victim["customer_trait"].pk).exists()
    assert CustomerList.objects.filter(pk=victim["customer_list"].pk, name=SECRET_NAME).exists()
    assert ListEntry.objects.filter(customer_list=victim["customer_list"]).count() == 1
    assert BulkUpdate.objects.filter(
        pk=victim["bulk_update"].pk, state=BulkUpdate.State.PREVIEWED
    ).exists()
    assert not victim["customer"].suppressions.filter(suppression_type__name="Do not email")
    assert ImportJob.objects.filter(pk=victim["import_job"].pk, status="done").exists()
    assert ImportJob.objects.filter(pk=victim["import_draft"].pk, options={}).exists()
    assert ImportCheck.objects.filter(job=victim["import_draft"], status="done").count() == 1
    assert ImportMapping.objects.filter(pk=victim["import_mapping"].pk, name=SECRET_NAME).exists()
    assert Item.objects.filter(pk=victim["item"].pk, name=SECRET_NAME, active=True).exists()
    assert PriceLevel.objects.filter(pk=victim["price_level"].pk, name=SECRET_NAME).exists()
    assert CustomerPriceLevel.objects.filter(
        pk=victim["customer_price_level"].pk, price_level=victim["price_level"]
    ).exists()
    quote = Quote.objects.get(pk=victim["quote"].pk)
    assert (quote.status, list(quote.lines.values_list("pk", "quantity"))) == (
        "draft",
        [(victim["quote_line"].pk, 1)],
    )
    contract = ServiceContract.objects.get(pk=victim["service_contract"].pk)
    assert (contract.name, list(contract.supported_items.all())) == (SECRET_NAME, [victim["item"]])
    assert ReasonCode.objects.filter(pk=victim["reason_code"].pk, name=SECRET_NAME).exists()
    assert Case.objects.filter(
        pk=victim["case"].pk, subject=SECRET_NAME, status="open", resolved_at=None
    ).exists()
    assert DuplicateCandidate.objects.filter(
        pk=victim["duplicate_candidate"].pk, status="open"
    ).exists()
    assert CustomerMerge.objects.filter(pk=victim["customer_merge"].pk, undone_at=None).exists()
    assert list(LoyaltyEntry.objects.values_list("points", "reason")) == [(100, SECRET_NAME)]
    assert HouseAccount.objects.filter(
        pk=victim["house_account"].pk, name=SECRET_NAME, credit_limit=100, active=True
    ).exists()
    assert CustomerHouseAccount.objects.filter(pk=victim["customer_house_account"].pk).exists()
    access = PortalAccess.objects.get(customer=victim["portal_contact"])
    assert (access.enabled, access.has_password, access.is_organization_manager) == (
        True,
        True,
        False,
    )
    attachment = Attachment.objects.get(pk=victim["attachment"].pk)
    assert (attachment.description, attachment.file.name) == (
        SECRET_NAME,
        victim["attachment"].file.name,
    )
    assert default_storage.exists(attachment.file.name), "the victim's file must stay"


@pytest.mark.parametrize(
    ("name", "route"),
    [(name, route) for name, route, entry in ALL_PATTERNS if not _has_id(entry)],
)
def test_pages_without_ids_never_show_foreign_data(client, victim, intruder, name, route):
    client.force_login(intruder.user)
    url = _url(route, 0)
    for query in ("", f"?q={SECRET_NAME[:7]}", "?archived=true"):
        if name.startswith("api:"):
            response = api_client_for(intruder).get(url + query)
        else:
            response = client.get(url + query)
        # Exports stream: their whole file is read.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET_NAME not in content.decode(errors="replace"), (url, query)


def test_api_lists_only_the_tokens_workspace(victim, foreign_admin):
    make_customer(foreign_admin.workspace, foreign_admin.user, last_name="Visible")
    response = api_client_for(foreign_admin).get("/api/v1/customers/")
    assert [row["last_name"] for row in response.json()["results"]] == ["Visible"]


def test_forms_offer_only_this_workspaces_organizations(client, victim, foreign_admin):
    client.force_login(foreign_admin.user)
    form = client.get("/customers/new/").content.decode()
    assert SECRET_NAME not in form
    response = client.post(
        "/customers/new/",
        {
            "kind": "person",
            "last_name": "Spy",
            "organization": victim["customer"].pk,
            "status": "active",
            "customer_type": "prospect",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not victim["customer"].contacts.exists()


def test_api_refuses_foreign_related_ids(victim, foreign_admin):
    response = api_client_for(foreign_admin).post(
        "/api/v1/customers/",
        {"last_name": "Spy", "organization": victim["customer"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organization"
    assert not victim["customer"].contacts.exists()
