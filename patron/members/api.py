"""API for the staff linked to customers: /api/v1/customer-members/."""

import django_filters as filters
from rest_framework import mixins, serializers, viewsets

from patron.customers.filters import ForCustomerFilterSet
from patron.customers.models import Customer
from patron.members import services
from patron.members.models import CustomerMember
from patron.workspaces.models import User


class CustomerMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerMember
        fields = ["id", "customer", "user", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # linking twice is not an error: member_link returns the link

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["user"].queryset = User.objects.filter(memberships__workspace=workspace)
        return fields


class CustomerMemberFilter(ForCustomerFilterSet):
    user = filters.ModelChoiceFilter(queryset=User.objects.none())
    role = filters.ChoiceFilter(choices=CustomerMember.Role.choices)

    class Meta:
        model = CustomerMember
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        workspace = getattr(request, "workspace", None)
        self.filters["user"].queryset = User.objects.filter(memberships__workspace=workspace)


class CustomerMemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Staff linked to customers with a role (account manager, salesman, support)."""

    serializer_class = CustomerMemberSerializer
    filterset_class = CustomerMemberFilter
    read_capability = "customers.view"
    write_capability = "customers.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerMember.objects.none()
        return (
            CustomerMember.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .select_related("user")
            .order_by("customer_id", "role", "user__email")
        )

    def perform_create(self, serializer):
        serializer.instance = services.member_link(
            customer=serializer.validated_data["customer"],
            user=serializer.validated_data["user"],
            role=serializer.validated_data.get("role", CustomerMember.Role.SALESMAN),
            actor=self.request.user,
            via="api",
        )

    def perform_destroy(self, instance):
        services.member_unlink(link=instance, actor=self.request.user, via="api")
