"""Create the demo workspace on first run (later runs only print the login)."""

import os
import random
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from faker import Faker

from patron.calls.models import ColdCall
from patron.calls.services import cold_call_log
from patron.campaigns.models import Step
from patron.campaigns.services import (
    activity_change_step,
    activity_create,
    campaign_create,
    fulfilment_create,
)
from patron.cases.models import Case
from patron.cases.services import case_create, case_set_status, reason_code_create
from patron.customers.models import Category, Customer, Tag
from patron.customers.services import customer_approve, customer_create, customer_release
from patron.lists.models import CustomerList
from patron.lists.services import list_create_from_search, list_from_fulfilments
from patron.loyalty.services import (
    customer_house_accounts_set,
    house_account_create,
    loyalty_earn,
    loyalty_redeem,
)
from patron.marketing.models import SuppressionType
from patron.marketing.services import customer_traits_set, suppression_add, trait_create
from patron.members.services import member_link
from patron.notes.services import note_create
from patron.portal.services import (
    portal_access_grant,
    portal_access_set_manager,
    portal_password_set,
    portal_request_raise,
)
from patron.sales.services import (
    contract_create,
    customer_price_level_set,
    item_create,
    price_level_create,
    quote_create,
    quote_line_add,
    quote_set_status,
)
from patron.telemarketing.models import ScriptStep
from patron.telemarketing.services import (
    branch_add,
    response_answer,
    response_start,
    step_add,
    telemarket_change_step,
    telemarket_create,
)
from patron.workspaces.models import User, Workspace
from patron.workspaces.roles import Role
from patron.workspaces.services import member_add, workspace_create

DEMO_SLUG = "demo"
LOGIN_FILE = Path(settings.BASE_DIR) / ".demo-login"
# Ofcom's ranges reserved for drama: valid numbers that ring no one.
FICTIONAL_RANGES = ["+44207946", "+44113496", "+44121496", "+44161496", "+44117496", "+44131496"]
CATEGORIES = ["Retail", "Wholesale", "Trade", "VIP"]
# Staff to try the roles with: a salesman and the accounts department that approves.
DEMO_STAFF = [
    (Role.SALES, "sales@example.com", "Sam Sales"),
    (Role.ACCOUNTS, "accounts@example.com", "Alex Accounts"),
]
TAGS = ["newsletter", "trade-show", "referral", "web-lead", "key-account"]
TRAITS = [
    ("Golfer", "Plays golf"),
    ("Homeowner", "Owns their home"),
    ("Pet owner", "Has a cat or a dog"),
    ("Gardener", "Keen gardener"),
]


def fictional_phone(rng: random.Random) -> str:
    return rng.choice(FICTIONAL_RANGES) + f"0{rng.randrange(1000):03d}"


DEMO_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class Command(BaseCommand):
    help = "Create a demo workspace with a few hundred customers and organizations."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=300)
        parser.add_argument("--organizations", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where it is served")

    def handle(self, *args, **options):
        email = os.environ.get("PATRON_ADMIN_EMAIL", "admin@example.com").strip().lower()
        password = os.environ.get("PATRON_ADMIN_PASSWORD", "")
        if not password and LOGIN_FILE.exists():
            password = LOGIN_FILE.read_text().strip()
        if not password:
            password = secrets.token_urlsafe(12)
            LOGIN_FILE.write_text(password + "\n")
            LOGIN_FILE.chmod(0o600)

        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            # The portal grants email generated passwords, which the demo replaces with its
            # own at once: those emails are kept in memory and dropped, not sent (to a mail
            # server `make run` does not have, which logged each as failed).
            with override_settings(MAILERS=DEMO_MAILERS), transaction.atomic():
                workspace = workspace_create(
                    name="Demo Trading Ltd",
                    slug=DEMO_SLUG,
                    store_names=["London", "Leeds", "Manchester"],
                )
                admin = member_add(
                    workspace=workspace,
                    email=email,
                    role=Role.ADMIN,
                    password=password,
                    full_name="Demo Admin",
                ).user
                staff = {
                    role: member_add(
                        workspace=workspace,
                        email=address,
                        role=role,
                        password=password,
                        full_name=name,
                    ).user
                    for role, address, name in DEMO_STAFF
                }
                self._fill(workspace, admin, options)
                self._activity(workspace, staff, random.Random(options["seed"]))
                self._marketing(workspace, admin, random.Random(options["seed"]))
                self._service_and_sales(workspace, admin, staff, random.Random(options["seed"]))
                portal_contacts = self._portal(workspace, admin, password)
            self.stdout.write(self.style.SUCCESS("Created the demo workspace."))
        else:
            portal_contacts = self._portal_contacts(workspace)
            admin = member_add(workspace=workspace, email=email, role=Role.ADMIN, password=password)
            for user in User.objects.filter(
                email__in=[email, *(address for _, address, _ in DEMO_STAFF)]
            ):
                if not user.check_password(password):  # PATRON_ADMIN_PASSWORD changed
                    user.set_password(password)
                    user.save(update_fields=["password"])
        self.stdout.write(
            f"\n  Patron: {options['url']}\n  Log in as {email} with password {password}\n"
            f"  (also {', '.join(address for _, address, _ in DEMO_STAFF)}, same password)\n"
        )
        if portal_contacts:
            self.stdout.write(
                f"  Customer portal: {options['url'].rstrip('/')}/portal/ as "
                f"{' or '.join(c.email for c in portal_contacts)} (the first is its "
                "organization's manager), same password\n"
            )

    def _portal(self, workspace: Workspace, admin: User, password: str) -> list[Customer]:
        """Portal access for two contacts of the organization with the quotes, one of them
        its organization manager, with the demo password, and one request raised there."""
        organization = self._quoted_organization(workspace)
        if organization is None:
            return []
        contacts = list(organization.contacts.exclude(email="").order_by("number")[:2])
        for contact in contacts:
            # Granting emails a generated password; the demo then sets its own, so a demo
            # without a mail server still logs in (a failed email clears only the generated one).
            access = portal_access_grant(customer=contact, actor=admin, via="command")
            portal_password_set(access=access, actor=admin, password=password, via="command")
        if contacts:
            manager = contacts[0].portal_access
            portal_access_set_manager(
                access=manager, is_organization_manager=True, actor=admin, via="command"
            )
            portal_request_raise(
                access=manager,
                subject="Boiler service visit",
                description="Could an engineer call next week? Mornings suit us best.",
            )
        return contacts

    def _portal_contacts(self, workspace: Workspace) -> list[Customer]:
        return list(
            Customer.objects.in_workspace(workspace)
            .filter(portal_access__enabled=True)
            .order_by("-portal_access__is_organization_manager", "number")
        )

    @staticmethod
    def _quoted_organization(workspace: Workspace) -> Customer | None:
        return (
            Customer.objects.in_workspace(workspace)
            .organizations()
            .filter(contacts__isnull=False)
            .order_by("number")
            .first()
        )

    def _fill(self, workspace: Workspace, admin: User, options) -> None:
        rng = random.Random(options["seed"])
        fake = Faker("en_GB")
        fake.seed_instance(options["seed"])
        categories = [
            Category.objects.create(workspace=workspace, name=name) for name in CATEGORIES
        ]
        tags = [Tag.objects.create(workspace=workspace, name=name) for name in TAGS]
        stores = list(workspace.stores.all())
        organizations = []
        for _ in range(options["organizations"]):
            organizations.append(
                customer_create(
                    workspace=workspace,
                    actor=admin,
                    via="command",
                    data={
                        "kind": Customer.Kind.ORGANIZATION,
                        "company_name": fake.unique.company(),
                        "address_1": fake.street_address(),
                        "city": fake.city(),
                        "postcode": fake.postcode(),
                        "country": "United Kingdom",
                        "work_phone": fictional_phone(rng),
                        "email": f"info@{fake.unique.domain_word()}.example",
                        "customer_type": rng.choice(Customer.Type.values),
                        "category": rng.choice(categories),
                        "tags": rng.sample(tags, rng.randrange(3)),
                    },
                )
            )
        for index in range(options["people"]):
            female = rng.random() < 0.5
            first = fake.first_name_female() if female else fake.first_name_male()
            last = fake.last_name()
            employer = rng.choice(organizations) if organizations and rng.random() < 0.4 else None
            customer_create(
                workspace=workspace,
                actor=admin,
                via="command",
                data={
                    "title": rng.choice(["Ms", "Mrs", "Miss"] if female else ["Mr"])
                    if rng.random() < 0.9
                    else "Dr",
                    "first_name": first,
                    "last_name": last,
                    "gender": Customer.Gender.FEMALE if female else Customer.Gender.MALE,
                    "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=85),
                    "address_1": fake.street_address(),
                    "city": fake.city(),
                    "postcode": fake.postcode(),
                    "country": "United Kingdom",
                    "email": f"{first}.{last}{index}@example.com".lower().replace("'", ""),
                    "home_phone": fictional_phone(rng) if rng.random() < 0.6 else "",
                    "work_phone": fictional_phone(rng) if employer else "",
                    "organization": employer,
                    "job": fake.job()[:100] if employer else "",
                    "company_name": employer.company_name if employer else "",
                    "contact_method": rng.choice(Customer.ContactMethod.values),
                    "marital_status": rng.choice(Customer.MaritalStatus.values),
                    "customer_type": rng.choice(Customer.Type.values),
                    "category": rng.choice(categories) if rng.random() < 0.5 else None,
                    "tags": rng.sample(tags, rng.randrange(3)),
                    "stores": rng.sample(stores, rng.randrange(1, len(stores) + 1)),
                    "flag": rng.choice(Customer.Flag.values) if rng.random() < 0.1 else "",
                    "marketing_opt_out": rng.random() < 0.1,
                },
            )

    def _activity(self, workspace: Workspace, staff: dict, rng: random.Random) -> None:
        """Some of what happens with customers: salesmen, calls, call-backs, the workflow."""
        sales, accounts = staff[Role.SALES], staff[Role.ACCOUNTS]
        people = list(Customer.objects.in_workspace(workspace).people().order_by("number")[:60])
        tomorrow = timezone.now() + timedelta(days=1)
        for index, customer in enumerate(people):
            if index % 3 == 0:
                member_link(customer=customer, user=sales, role="salesman", actor=sales)
            if index % 4 == 0:
                cold_call_log(
                    workspace=workspace,
                    actor=sales,
                    customer=customer,
                    via="command",
                    data={"outcome": rng.choice(ColdCall.Outcome.values), "notes": "Demo call"},
                )
            if index % 5 == 0:
                note_create(
                    workspace=workspace,
                    actor=sales,
                    via="command",
                    data={
                        "customer": customer,
                        "subject": "Call back about the quote",
                        "callback_at": tomorrow + timedelta(hours=index),
                    },
                )
            if index % 6 == 0:
                customer_release(customer=customer, actor=sales, via="command")
                if index % 12 == 0:
                    customer_approve(customer=customer, actor=accounts, via="command")

    def _marketing(self, workspace: Workspace, admin: User, rng: random.Random) -> None:
        """Traits, suppressions, a campaign with a running activity and its fulfilments, a
        telemarketing script with responses, and two customer lists built by the rules."""
        people = list(Customer.objects.in_workspace(workspace).people().order_by("number"))
        traits = [
            trait_create(
                workspace=workspace,
                actor=admin,
                via="command",
                data={"name": name, "description": description},
            )
            for name, description in TRAITS
        ]
        suppression_types = list(SuppressionType.objects.in_workspace(workspace))
        for customer in people:
            chosen = [trait for trait in traits if rng.random() < 0.3]
            if chosen:
                customer_traits_set(customer=customer, traits=chosen, actor=admin, via="command")
            if rng.random() < 0.08:
                suppression_add(
                    customer=customer,
                    suppression_type=rng.choice(suppression_types),
                    date=timezone.localdate() - timedelta(days=rng.randrange(400)),
                    actor=admin,
                    via="command",
                )

        spring = campaign_create(
            workspace=workspace, actor=admin, via="command", data={"name": "Spring 2027"}
        )
        brochure = activity_create(
            workspace=workspace,
            actor=admin,
            via="command",
            data={
                "name": "Spring brochure",
                "campaign": spring,
                "reference_code": "SPRING27",
                "start_date": timezone.localdate(),
            },
        )
        activity_change_step(activity=brochure, step=Step.STARTED, actor=admin, via="command")
        activity_create(
            workspace=workspace,
            actor=admin,
            via="command",
            data={"name": "Garden show stand", "campaign": spring, "reference_code": "SHOW27"},
        )
        for customer in people[::9]:
            fulfilment_create(
                customer=customer,
                activity=brochure,
                fulfilment_type=rng.choice(["Send brochure", "More information"]),
                actor=admin,
                via="command",
            )

        survey = telemarket_create(
            workspace=workspace,
            actor=admin,
            via="command",
            data={"name": "Customer satisfaction", "activity": brochure},
        )
        happy = step_add(
            telemarket=survey,
            actor=admin,
            via="command",
            data={"question": "Are you happy with our service?", "answer_type": "yes_no"},
        )
        step_add(
            telemarket=survey,
            actor=admin,
            via="command",
            data={"question": "What should we do better?", "answer_type": "text"},
        )
        heard = step_add(
            telemarket=survey,
            actor=admin,
            via="command",
            data={
                "question": "How did you hear of us?",
                "answer_type": ScriptStep.AnswerType.CHOICE,
                "choices": "Friend\nWebsite\nNewspaper",
            },
        )
        # Someone happy is not asked what to do better.
        branch_add(step=happy, answer="Yes", goes_to=heard, actor=admin, via="command")
        telemarket_change_step(telemarket=survey, step=Step.STARTED, actor=admin, via="command")
        for customer in people[1:40:8]:
            response = response_start(
                telemarket=survey, customer=customer, actor=admin, via="command"
            )
            response_answer(response=response, step=happy, value="Yes", actor=admin, via="command")

        everyone = Customer.objects.in_workspace(workspace).current()
        list_create_from_search(
            workspace=workspace,
            actor=admin,
            via="command",
            data={
                "name": "Spring newsletter",
                "description": "Everyone we may email about the spring offers.",
                "usage": CustomerList.Usage.EMAIL,
            },
            customers=everyone,
        )
        list_from_fulfilments(
            activity=brochure,
            actor=admin,
            via="command",
            data={
                "name": "Spring brochure requests",
                "description": "Customers sent the spring brochure, for a follow-up letter.",
                "usage": CustomerList.Usage.MAIL,
            },
        )

    def _service_and_sales(
        self, workspace: Workspace, admin: User, staff: dict, rng: random.Random
    ) -> None:
        """Cases with reason codes, loyalty points, house accounts, the item catalogue, a
        price level given to an organization and quotes under it, and a service contract."""
        people = list(Customer.objects.in_workspace(workspace).people().order_by("number"))
        organization = self._quoted_organization(workspace)
        reasons = [
            reason_code_create(workspace=workspace, actor=admin, via="command", data={"name": n})
            for n in ["Faulty goods", "Billing query", "Delivery"]
        ]
        subjects = ["Boiler not firing", "Invoice twice", "Parcel missing", "Wrong part sent"]
        for customer in rng.sample(people, 20):
            case = case_create(
                customer=customer,
                actor=admin,
                via="command",
                data={
                    "subject": rng.choice(subjects),
                    "reason_code": rng.choice(reasons),
                    "assignee": rng.choice([admin, staff[Role.SALES]]),
                    "logged_at": timezone.now() - timedelta(days=rng.randrange(1, 40)),
                },
            )
            status = rng.choice([Case.Status.OPEN, Case.Status.PENDING, Case.Status.RESOLVED])
            if status != Case.Status.OPEN:
                case_set_status(case=case, status=status, actor=admin, via="command")
        for customer in rng.sample(people, 10):
            loyalty_earn(
                customer=customer, points=rng.randrange(50, 500), actor=admin, via="command"
            )
            if rng.random() < 0.4:
                loyalty_redeem(customer=customer, points=40, actor=admin, via="command")
        trade_account = house_account_create(
            workspace=workspace,
            actor=admin,
            via="command",
            data={"name": "Trade", "credit_limit": "5000.00"},
        )
        house_account_create(
            workspace=workspace,
            actor=admin,
            via="command",
            data={"name": "Staff", "credit_limit": "500.00"},
        )
        items = [
            item_create(workspace=workspace, actor=admin, via="command", data=data)
            for data in [
                {"code": "B-1", "name": "Boiler", "unit_price": "499.99", "tax_rate": "20"},
                {"code": "S-1", "name": "Annual service", "unit_price": "120.00", "tax_rate": "20"},
                {"code": "P-1", "name": "Pipe per metre", "unit_price": "8.40", "tax_rate": "0"},
            ]
        ]
        if organization is None:
            return
        customer_house_accounts_set(
            customer=organization, house_accounts=[trade_account], actor=admin, via="command"
        )
        trade = price_level_create(
            workspace=workspace,
            actor=admin,
            via="command",
            data={"name": "Trade", "discount": "10"},
        )
        customer_price_level_set(
            customer=organization, price_level=trade, actor=admin, via="command"
        )
        for status in ["draft", "sent"]:
            quote = quote_create(customer=organization, actor=admin, via="command")
            for item, quantity in zip(items, ["1", "1", "12.5"], strict=True):
                quote_line_add(
                    quote=quote,
                    actor=admin,
                    via="command",
                    data={"item": item, "quantity": quantity},
                )
            if status == "sent":
                quote_set_status(quote=quote, status="sent", actor=admin, via="command")
        contract_create(
            customer=organization,
            actor=admin,
            via="command",
            data={
                "name": "Boiler cover",
                "start_date": timezone.localdate(),
                "end_date": timezone.localdate() + timedelta(days=365),
                "status": "active",
                "supported_items": items[:2],
            },
        )
