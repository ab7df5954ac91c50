"""Create the demo workspace on first run (later runs only print the login)."""

import os
import random
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from patron.calls.models import ColdCall
from patron.calls.services import cold_call_log
from patron.customers.models import Category, Customer, Tag
from patron.customers.services import customer_approve, customer_create, customer_release
from patron.members.services import member_link
from patron.notes.services import note_create
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


def fictional_phone(rng: random.Random) -> str:
    return rng.choice(FICTIONAL_RANGES) + f"0{rng.randrange(1000):03d}"


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
            with transaction.atomic():
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
            self.stdout.write(self.style.SUCCESS("Created the demo workspace."))
        else:
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
