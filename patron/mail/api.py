"""REST API for email: /api/v1/emails/ (list, read, send) and /api/v1/bounces/."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from patron.api.serializers import NOT_BLANK, StrictCharField
from patron.customers.models import Customer
from patron.mail import services
from patron.mail.filters import SentEmailFilter
from patron.mail.models import SentEmail

# One line of text with something in it: no CR, LF or other control characters, which
# would start another header (the service refuses them too).
ONE_LINE = RegexValidator(
    r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$",
    "The subject must be one line: no line breaks (CR or LF) or control characters.",
    code="invalid",
)


class SentEmailSerializer(serializers.ModelSerializer):
    """An email to a customer. POST sends it: to the customer's address, from the workspace's
    address with Reply-To the token's user, as plain text.

    A customer without an email address, or whose address is marked invalid (it bounced),
    is refused. The answer says what the mail server did: `sent`, or `failed` with `error`
    (`queued` while a background worker has yet to send it).
    """

    subject = StrictCharField(max_length=200, trim_whitespace=False, validators=[ONE_LINE])
    body = StrictCharField(
        max_length=services.MAX_BODY,
        trim_whitespace=False,
        validators=[NOT_BLANK],
        help_text="Plain text.",
    )

    class Meta:
        model = SentEmail
        fields = [
            "id",
            "customer",
            "to_address",
            "subject",
            "body",
            "sender",
            "status",
            "error",
            "message_id",
            "via",
            "created_at",
            "last_attempt_at",
            "sent_at",
            "bounced_at",
        ]
        read_only_fields = [
            "id",
            "to_address",
            "sender",
            "status",
            "error",
            "message_id",
            "via",
            "created_at",
            "last_attempt_at",
            "sent_at",
            "bounced_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        return fields


class SentEmailViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Emails sent to the workspace's customers, newest first; POST sends one."""

    serializer_class = SentEmailSerializer
    filterset_class = SentEmailFilter
    read_capability = "customers.view"
    write_capability = "mail.send"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return SentEmail.objects.none()
        return (
            SentEmail.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .newest_first()
        )

    def filter_queryset(self, queryset):
        # Filters apply to lists; a single email is reachable by its id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.email_send(
            customer=data["customer"],
            actor=self.request.user,
            subject=data["subject"],
            body=data["body"],
            via="api",
        )


class BounceSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The address that bounced.")
    date = serializers.DateTimeField(
        required=False, help_text="When it bounced (ISO 8601); now if omitted."
    )


class BounceResultSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The address, normalized.")
    customers_marked = serializers.IntegerField(
        help_text="How many customers were newly marked invalid (not those already marked)."
    )
    email_bounced = serializers.IntegerField(
        allow_null=True, help_text="The id of the last email sent to the address, now bounced."
    )


class BounceViewSet(viewsets.GenericViewSet):
    """Bounce reports: mail to an address came back, so it is not mailed again."""

    serializer_class = BounceSerializer
    read_capability = "customers.view"
    write_capability = "mail.send"
    pagination_class = None

    def get_queryset(self):
        return SentEmail.objects.none()

    @extend_schema(request=BounceSerializer, responses={200: BounceResultSerializer})
    def create(self, request):
        """Report a bounce: every customer of the workspace with this address is marked
        invalid (History shows it), and the last email sent to it becomes bounced.
        Correcting a customer's address clears the mark."""
        body = BounceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.bounce_record(
            workspace=request.workspace,
            address=body.validated_data["email"],
            bounced_at=body.validated_data.get("date"),
            actor=request.user,
            via="api",
        )
        data = {
            "email": result.address,
            "customers_marked": result.customers_marked,
            "email_bounced": result.email.pk if result.email else None,
        }
        return Response(BounceResultSerializer(data).data, status=status.HTTP_200_OK)
