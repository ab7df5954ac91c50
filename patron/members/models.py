"""Staff linked to a customer with a role (manuals 001 and 004): account managers, salesmen."""

from django.db import models

from patron.core.models import WorkspaceScoped


class CustomerMember(WorkspaceScoped):
    """A staff user's link to a customer. "My customers" lists the customers I am linked to."""

    class Role(models.TextChoices):
        ACCOUNT_MANAGER = "account_manager", "Account manager"
        SALESMAN = "salesman", "Salesman"
        SUPPORT = "support", "Support"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        "workspaces.User", on_delete=models.CASCADE, related_name="customer_links"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SALESMAN)

    class Meta:
        ordering = ["role", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "user", "role"], name="unique_customer_member_role"
            )
        ]
        indexes = [models.Index(fields=["workspace", "user"], name="member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
