"""Property-based fuzzing of the REST API against its own OpenAPI schema (schemathesis).

Every operation of /api/schema/ gets generated requests, valid and invalid, sent in-process
to the WSGI app with an admin's token. Each response must not be a 5xx and must match the
schema (status code, content type, headers, body); invalid input must be refused and valid
input accepted. Deterministic (derandomize) and bounded (max_examples per operation).
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from patron.api.models import ApiToken
from patron.campaigns.models import Step
from patron.campaigns.services import activity_create, campaign_create
from patron.cases import services as cases
from patron.customers.models import Customer
from patron.customers.services import customer_archive, customer_delete
from patron.loyalty import services as loyalty
from patron.marketing import services as marketing
from patron.marketing.models import SuppressionType
from patron.portal.services import portal_access_grant
from patron.sales import services as sales
from patron.stream.services import comment_create, post_create
from patron.testing.factories import CategoryFactory, TagFactory, make_customer, make_note
from patron.testing.files import make_attachment
from patron.workspaces.roles import Role
from patron.wsgi import application

CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            # PATCH takes PUT's body with every field optional, so the coverage phase's
            # cases for it (boundary and wrong values, field by field, some 400 requests)
            # would repeat PUT's; it keeps the fuzzing phase. That saves some 10 s of ~45.
            {"include-method": "PATCH", "phases": {"coverage": {"enabled": False}}},
        ]
    }
)
# Loaded once, at collection: producing the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

# Rules the schema cannot state: a person needs a last name and an organization a name,
# "Other" needs title_other, no birth in the future, emails and phones must be real ones
# (they are normalized), and related ids must name objects of the token's workspace (an
# organization for `organization`); and no text may hold a NUL (PostgreSQL cannot store
# one). Schema-valid input may break one, and must then get a 400 naming only such fields
# or NULs; any other refusal of schema-valid input is still a failure.
RULES_BEYOND_THE_SCHEMA = {
    *("last_name", "company_name", "title_other", "date_of_birth", "email"),
    *("work_phone", "home_phone", "mobile_phone", "fax"),
    *("organization", "category", "tags", "stores", "tag", "store"),
    # Posts and comments: a customer outside the recycle bin and a post of the workspace.
    *("customer", "post"),
    # Attachments: a file's content must be of an accepted kind that fits its name (any
    # bytes fit "format: binary").
    "file",
    # Email: a customer with a usable address (one, not marked invalid); no bounce dated
    # in the future.
    *("customer", "date"),
    # Members and cold calls: a customer and a user of this workspace; a call's prospect
    # follows the customer rules; a call is not in the future nor a new follow-up past.
    *("customer", "user", "new_customer", "called_at", "follow_up_on"),
    # Third parties: a contract ends after it starts; a currency is three letters.
    *("contract_end", "currency"),
    # Notes: a customer and a member of the workspace; a call-back not set into the past,
    # and done only when there is one.
    *("customer", "callback_for", "callback_at", "callback_done"),
    # Campaigns: a campaign's name and an activity's reference code are unique (any case);
    # an activity's campaign is of the workspace and it ends after it starts; a fulfilment
    # is under a running activity of the workspace and says what was done.
    *("name", "reference_code", "campaign", "end_date", "activity", "fulfilment_type"),
    # Marketing: a trait and a suppression type of the workspace, each once per customer.
    *("trait", "suppression_type"),
    # Telemarketing: a script, step and target of the workspace, later in the same script;
    # a choice question offers two answers; an answer fits its question's type.
    *("telemarket", "step", "goes_to", "answer", "choices", "value"),
    # Customer lists: the list named by the search filter, and a list's suppressions,
    # traits and activities, are of the workspace.
    *("customer_list", "suppressions", "traits", "activities"),
    # Delete by search: the search must find someone (a count of 0 that matches is 400).
    "expected_count",
    # Sales: an item code unique in any case; a line's quote is a draft of the workspace,
    # its item active and of the workspace, else a description and a unit price; a
    # quantity above 0; a price level of the workspace; a quote's status moves only as
    # its workflow allows (sent needs a line and a valid-until not past); a service
    # contract is with an organization and supports active items of the workspace.
    *("code", "quote", "item", "description", "unit_price", "quantity", "price_level"),
    *("status", "valid_until", "supported_items", "case"),
    # Cases: a reason code and an assignee (a member) of the workspace; logged neither in
    # the future nor after the case was resolved; a subject that is more than spaces.
    *("reason_code", "assignee", "logged_at", "subject"),
    # Loyalty: points signed by their kind, never taking the balance below zero; a reason
    # for an adjustment; a house account given is active and given once.
    *("points", "reason", "house_account"),
    # Imports: the mapping is a JSON object naming columns the file has, and a saved one
    # maps at least one column.
    "mapping",
    # Portal access: for a person of the workspace with a usable email, not yet given it
    # (on `customer`); a password the password validators accept; the organization-manager
    # right for a contact of an organization.
    *("password", "is_organization_manager"),
    # Merges: two or more customers of one kind, none in the recycle bin; each choice names
    # a mergeable field and one of the customers merged.
    *("survivor", "others", "choices"),
}


def valid_data_accepted(ctx, response, case):
    """Schemathesis' positive_data_acceptance, but for the RULES_BEYOND_THE_SCHEMA.

    Also a 412 is right for a well-formed If-Match that names another version.
    """
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 412 and "If-Match" in (case.headers or {}):
            return None
        errors = response.json()["errors"] if response.status_code == 400 else []
        if errors and all(
            (error["field"] or "").split(".")[0] in RULES_BEYOND_THE_SCHEMA
            or error["code"] == "null_characters_not_allowed"
            for error in errors
        ):
            return None
        raise


AUTH_CONFIRMED = set()


def auth_enforced(ctx, response, case):
    """Schemathesis' ignored_auth, once per operation, as its CLI runs it.

    After a 2xx it sends the request again without the token, with a wrong token and with
    a wrong session cookie; after every 2xx, that would be 3 more requests each time.
    """
    if case.operation.label in AUTH_CONFIRMED:
        return None
    result = ignored_auth(ctx, response, case)
    if 200 <= response.status_code < 300:
        AUTH_CONFIRMED.add(case.operation.label)
    return result


@pytest.fixture
def fuzz(settings, member, workspace, other_workspace):
    """A workspace with a few customers, an admin's token, and a customer of another one."""
    # The token endpoint checks a password per request; PBKDF2 would dominate the runtime.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    membership = member(Role.ADMIN)
    admin = membership.user
    category = CategoryFactory(workspace=workspace)
    tag = TagFactory(workspace=workspace)
    org = make_customer(workspace, admin, kind=Customer.Kind.ORGANIZATION, company_name="Org Ltd")
    people = [
        make_customer(
            workspace,
            admin,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.com",
            mobile_phone="020 7946 0018",
            organization=org,
            category=category,
            tags=[tag],
        )
        for first, last in [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper")]
    ]
    customer_archive(customer=people[1], actor=admin)
    customer_delete(customer=people[2], actor=admin)
    foreign = make_customer(other_workspace, None, last_name="Elsewhere")
    notes = [make_note(people[0], admin, callback_in=timedelta(days=1)), make_note(org, admin)]
    foreign_note = make_note(foreign, None)
    attachments = [
        make_attachment(people[0], admin),
        make_attachment(org, admin, name="call.txt", content=b"Call notes\n"),
    ]
    foreign_attachment = make_attachment(foreign, None)
    stream = _stream(workspace, admin, [org, people[0]], foreign)
    campaign = campaign_create(workspace=workspace, actor=admin, data={"name": "Fuzz"})
    activity = activity_create(
        workspace=workspace,
        actor=admin,
        data={"name": "Fuzz", "campaign": campaign, "step": Step.STARTED},
    )
    traits = _marketing(workspace, admin, people[0], foreign)
    selling = _sales(org, foreign, admin)
    service = _cases(admin, org, foreign)
    points = _loyalty(admin, people[0], foreign)
    portal_access_grant(customer=people[0], actor=admin)
    _, key = ApiToken.issue(membership=membership, name="fuzz")
    stores = list(workspace.stores.values_list("pk", flat=True))
    # Requests go straight to the WSGI handler, whose request signals would close the
    # connection holding the test's transaction; Django's test client unhooks them too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {
        "headers": {"Authorization": f"Bearer {key}"},
        # This workspace's customers (one archived, one in the recycle bin) and another's.
        "customers": [org.pk, *(person.pk for person in people), foreign.pk],
        "foreign": foreign.pk,
        **stream,
        **traits,
        **selling,
        **service,
        **points,
        # This workspace's attachments and another's.
        "attachments": [*(item.pk for item in attachments), foreign_attachment.pk],
        "foreign_attachment": foreign_attachment.pk,
        # This workspace's notes (one with a call-back) and another's.
        "notes": [*(note.pk for note in notes), foreign_note.pk],
        "foreign_note": foreign_note.pk,
        "related": {
            "organization": [org.pk],
            "category": [category.pk],
            "tag": [tag.pk],
            "tags": [tag.pk],
            "store": stores,
            "stores": stores,
            "post": stream["posts"][:-1],
            "customer": [org.pk, people[0].pk],
            "user": [admin.pk],
            "callback_for": [admin.pk],
            "campaign": [campaign.pk],
            "activity": [activity.pk],
            "trait": traits["traits"][:-1],
            "suppression_type": traits["suppression_types"][:-1],
            "item": selling["items"][:-1],
            "supported_items": selling["items"][:-1],
            "price_level": selling["price_levels"][:-1],
            "quote": selling["quotes"][:-1],
            "case": service["cases"][:-1],
            "reason_code": service["reason_codes"][:-1],
            "assignee": [admin.pk],
            "house_account": points["house_accounts"][:-1],
        },
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _stream(workspace, admin, customers, foreign) -> dict:
    """The admin's posts on `customers` (the first with a comment), and another workspace's
    post and comment: ids for the /posts/ and /comments/ paths, the foreign ones last."""

    def post(customer, actor):
        return post_create(
            workspace=customer.workspace, actor=actor, data={"customer": customer, "body": "Fuzz"}
        )

    def comment(post, actor):
        return comment_create(
            workspace=post.workspace, actor=actor, data={"post": post, "body": "Fuzz"}
        )

    posts = [post(customer, admin) for customer in customers]
    foreign_post = post(foreign, None)
    foreign_comment = comment(foreign_post, None)
    return {
        "posts": [*(item.pk for item in posts), foreign_post.pk],
        "comments": [comment(posts[0], admin).pk, foreign_comment.pk],
        "foreign_post": foreign_post.pk,
        "foreign_comment": foreign_comment.pk,
    }


def _marketing(workspace, admin, customer, foreign) -> dict:
    """A trait and a suppression on `customer`, and the same in another workspace: ids for
    the marketing paths, the foreign ones last."""

    def made(customer, actor):
        trait = marketing.trait_create(
            workspace=customer.workspace, actor=actor, data={"name": "F"}
        )
        kinds = list(SuppressionType.objects.filter(workspace=customer.workspace).order_by("pk"))
        link = marketing.customer_trait_add(customer=customer, trait=trait, actor=actor)
        suppression = marketing.suppression_add(
            customer=customer, suppression_type=kinds[0], actor=actor
        )
        return {"trait": trait, "customer_trait": link, "suppression": suppression}, kinds

    here, kinds = made(customer, admin)
    there, foreign_kinds = made(foreign, None)
    ids = {f"{kind}s": [here[kind].pk, there[kind].pk] for kind in here}
    ids["suppression_types"] = [kind.pk for kind in kinds] + [foreign_kinds[0].pk]
    for kind in [*here, "suppression_type"]:
        ids[f"foreign_{kind}"] = ids[f"{kind}s"][-1]
    return ids


def _cases(admin, customer, foreign) -> dict:
    """A reason code and a case on `customer`, and the same in another workspace: ids for
    the cases paths, the foreign ones last."""

    def made(customer, actor):
        code = cases.reason_code_create(
            workspace=customer.workspace, actor=actor, data={"name": "Fuzz"}
        )
        case = cases.case_create(
            customer=customer, actor=actor, data={"subject": "Fuzz", "reason_code": code}
        )
        return code, case

    (code, case), (foreign_code, foreign_case) = made(customer, admin), made(foreign, None)
    return {
        "reason_codes": [code.pk, foreign_code.pk],
        "cases": [case.pk, foreign_case.pk],
        "foreign_reason_code": foreign_code.pk,
        "foreign_case": foreign_case.pk,
    }


def _sales(org, foreign, admin) -> dict:
    """An item, a price level given to `org`, a draft quote with a line and a service
    contract, and the same in another workspace: ids for the sales paths, foreign last."""

    def made(customer, actor):
        item = sales.item_create(
            workspace=customer.workspace,
            actor=actor,
            data={"code": "F-1", "name": "Fuzz", "unit_price": "9.99"},
        )
        level = sales.price_level_create(
            workspace=customer.workspace, actor=actor, data={"name": "F", "discount": "5"}
        )
        link = sales.customer_price_level_set(customer=customer, price_level=level, actor=actor)
        quote = sales.quote_create(customer=customer, actor=actor)
        line = sales.quote_line_add(quote=quote, actor=actor, data={"item": item})
        contract = sales.contract_create(
            customer=customer,
            actor=actor,
            data={"name": "F", "start_date": "2027-01-01", "end_date": "2027-12-31"},
        )
        return {
            "item": item,
            "price_level": level,
            "customer_price_level": link,
            "quote": quote,
            "quote_line": line,
            "service_contract": contract,
        }

    # Service contracts are with organizations.
    elsewhere = make_customer(foreign.workspace, None, kind=org.kind, company_name="Else Ltd")
    here, there = made(org, admin), made(elsewhere, None)
    ids = {f"{kind}s": [here[kind].pk, there[kind].pk] for kind in here}
    ids.update({f"foreign_{kind}": there[kind].pk for kind in here})
    return ids


def _loyalty(admin, customer, foreign) -> dict:
    """Points and a house account on `customer`, and the same in another workspace: ids
    for the loyalty paths, the foreign ones last."""

    def made(customer, actor):
        entry = loyalty.loyalty_earn(customer=customer, points=100, actor=actor)
        account = loyalty.house_account_create(
            workspace=customer.workspace, actor=actor, data={"name": "Fuzz"}
        )
        link = loyalty.customer_house_account_add(
            customer=customer, house_account=account, actor=actor
        )
        return {"loyalty_entry": entry, "house_account": account, "customer_house_account": link}

    here, there = made(customer, admin), made(foreign, None)
    ids = {f"{kind}s": [here[kind].pk, there[kind].pk] for kind in here}
    for kind in here:
        ids[f"foreign_{kind}"] = ids[f"{kind}s"][-1]
    return ids


# The activity stream's and marketing's paths, and which of the fixture's objects their
# ids name.
STREAM_PATHS = {
    "/api/v1/posts/": "post",
    "/api/v1/comments/": "comment",
    "/api/v1/traits/": "trait",
    "/api/v1/customer-traits/": "customer_trait",
    "/api/v1/suppressions/": "suppression",
    "/api/v1/suppression-types/": "suppression_type",
    "/api/v1/items/": "item",
    "/api/v1/price-levels/": "price_level",
    "/api/v1/customer-price-levels/": "customer_price_level",
    "/api/v1/quotes/": "quote",
    "/api/v1/quote-lines/": "quote_line",
    "/api/v1/service-contracts/": "service_contract",
    "/api/v1/reason-codes/": "reason_code",
    "/api/v1/cases/": "case",
    "/api/v1/loyalty-entries/": "loyalty_entry",
    "/api/v1/house-accounts/": "house_account",
    "/api/v1/customer-house-accounts/": "customer_house_account",
}


def _stream_kind(path: str) -> str | None:
    return next((kind for prefix, kind in STREAM_PATHS.items() if path.startswith(prefix)), None)


def _as_int(value) -> int | None:
    """An integer, or its digits (the coverage phase sends ids as strings); else None."""
    if isinstance(value, str) and value.isascii() and value.isdecimal():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pick(value, ids):
    """An integer picks one of ids (deterministically); anything else stays."""
    number = _as_int(value)
    return value if number is None else ids[number % len(ids)]


def steer_to_existing_objects(case, fuzz):
    """Random ids almost never exist: point most of them at real objects.

    Path ids go to real customers unless ≡ 7 (mod 8), so 404s stay covered. In valid
    (positive) cases, related ids go to this workspace's objects and a blank last name is
    filled in, so that valid input gets past those rules and reaches the services.
    """
    raw_id = _as_int((case.path_parameters or {}).get("id"))
    if raw_id is not None and raw_id % 8 != 7:
        ids = fuzz["notes"] if case.path.startswith("/api/v1/notes/") else fuzz["customers"]
        ids = fuzz[f"{stream}s"] if (stream := _stream_kind(case.path)) else ids
        if case.path.startswith("/api/v1/attachments/"):
            ids = fuzz["attachments"]
        case.path_parameters["id"] = _pick(raw_id, ids)
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    related = fuzz["related"]
    for params in (case.query, case.body):
        if not isinstance(params, dict):
            continue
        for name in params.keys() & related.keys():
            value = params[name]
            if isinstance(value, list):
                params[name] = [_pick(item, related[name]) for item in value]
            else:
                params[name] = _pick(value, related[name])
    body = case.body
    if isinstance(body, dict) and case.method in ("POST", "PUT", "PATCH"):
        kind = body.get("kind", Customer.Kind.PERSON if case.method == "POST" else None)
        needs_last_name = "last_name" in body or case.method == "POST"
        if kind == Customer.Kind.ORGANIZATION:
            body["organization"] = None  # an organization is no one's contact
        # Other objects' bodies may carry any extra property, "last_name": null among them.
        elif needs_last_name and not str(body.get("last_name") or "").strip():
            body["last_name"] = "Fuzz"


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    # `fuzz` is function-scoped on purpose: each operation gets a fresh workspace (rolled
    # back after), which its examples share, as a client's successive requests would.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, fuzz):
    steer_to_existing_objects(case, fuzz)
    # The admin's token replaces a generated Authorization header in the case itself, so a
    # case made invalid only by that header is judged as the valid request it becomes.
    case.headers = {**(case.headers or {}), **fuzz["headers"]}
    response = case.call()
    case.validate_response(
        response,
        headers=fuzz["headers"],
        excluded_checks=[positive_data_acceptance, ignored_auth],
        additional_checks=[valid_data_accepted, auth_enforced],
    )
    foreign = _foreign_id(case.path, fuzz)
    if foreign is not None and (case.path_parameters or {}).get("id") == foreign:
        assert response.status_code == 404, "another workspace's object must stay hidden"


# Paths whose ids are customers' (others get customer ids too, as mere numbers: there a
# foreign customer's id may well be one of this workspace's activities, say).
CUSTOMER_ID_PATHS = ("/api/v1/customers/", "/api/v1/loyalty-balances/", "/api/v1/portal-access/")


def _foreign_id(path: str, fuzz) -> int | None:
    """The id of another workspace's object of the kind the path names, if the fixture
    made one (test_isolation.py covers every route either way)."""
    if stream := _stream_kind(path):
        return fuzz[f"foreign_{stream}"]
    if path.startswith("/api/v1/notes/"):
        return fuzz["foreign_note"]
    if path.startswith("/api/v1/attachments/"):
        return fuzz["foreign_attachment"]
    return fuzz["foreign"] if path.startswith(CUSTOMER_ID_PATHS) else None
