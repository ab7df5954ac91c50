"""Workspaces (the tenant: one business using Patron), their stores, users and roles."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from patron.workspaces.roles import Role, role_can


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in to Patron; logs in with an email address."""

    username = None
    first_name = None
    last_name = None
    full_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField("email address", unique=True)
    hide_customer_panel = models.BooleanField(
        "hide dashboard panel on customer pages", default=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Workspace(models.Model):
    """One business using Patron (the manuals' "Account" or "Company")."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    default_region = models.CharField(
        "default phone region",
        max_length=2,
        default="GB",
        help_text="Two-letter country code used to read phone numbers written without +.",
    )
    portal_access_for_new_customers = models.BooleanField(
        "grant portal access to every new customer with an email",
        default=False,
        help_text="A person created with an email address gets a portal password by email.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """A branch of a workspace (manual 002); customers belong to all stores by default."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="stores")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_store_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a workspace and the role that decides what they may do there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SALES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    def can(self, capability: str) -> bool:
        return role_can(self.role, capability)
