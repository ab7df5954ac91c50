"""The telemarketing API (routes registered by patron/api/urls.py):

- /api/v1/telemarkets/: scripts, with their steps and branches nested read-only, and a
  change-step action;
- /api/v1/script-steps/ and /api/v1/step-branches/: editing a script (a step is appended
  at the end and moved with its move action; branches are added and deleted, not edited);
- /api/v1/tm-responses/: a customer's run through a telemarket, answered one step at a
  time with the answer action, which says which step comes next.

Thin serializers and viewsets over the same services as the pages.
"""

import django_filters as filters
from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from patron.api.serializers import StrictBooleanField, StrictCharField
from patron.api.viewsets import WorkspaceModelViewSet, WorkspaceViewSetMixin, Writes
from patron.campaigns.models import Activity, Step
from patron.customers.filters import ForCustomerFilterSet
from patron.customers.models import Customer
from patron.telemarketing import services
from patron.telemarketing.models import Answer, Response, ScriptStep, StepBranch, Telemarket

STRICT = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
    models.BooleanField: StrictBooleanField,
}


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


def _steps_of(workspace):
    return ScriptStep.objects.filter(telemarket__workspace=workspace)


class StepBranchSerializer(serializers.ModelSerializer):
    """After `step`, the answer `answer` jumps to `goes_to` (a later step of the same
    script), or to the end when `goes_to` is null. Only choice and yes/no steps take
    branches, on one of their answers."""

    serializer_field_mapping = STRICT

    class Meta:
        model = StepBranch
        fields = ["id", "step", "answer", "goes_to"]
        read_only_fields = ["id"]
        # The service names a repeated answer at the same step; the serializer need not.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        steps = _steps_of(_workspace(self))
        fields["step"].queryset = steps
        fields["goes_to"].queryset = steps
        return fields


class ScriptStepSerializer(serializers.ModelSerializer):
    """A question of a script. `position` is 1..n in asking order: a new step is appended,
    and moves with POST .../move/. `choices`: one answer per line, for choice questions
    only. `telemarket` is fixed once created."""

    serializer_field_mapping = STRICT
    branches = StepBranchSerializer(many=True, read_only=True)

    class Meta:
        model = ScriptStep
        fields = ["id", "telemarket", "position", *services.STEP_FIELDS, "branches"]
        read_only_fields = ["id", "position"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        fields["telemarket"].queryset = Telemarket.objects.in_workspace(_workspace(self))
        if self.instance is not None:
            fields["telemarket"].read_only = True
        return fields


class TelemarketSerializer(serializers.ModelSerializer):
    """A telemarketing script. It is Planned when created; its step moves with POST
    .../change-step/, and only an Active, Started telemarket can be run. `activity` must
    be of the token's workspace."""

    serializer_field_mapping = STRICT
    is_running = serializers.BooleanField(read_only=True)
    steps = ScriptStepSerializer(many=True, read_only=True)
    responses = serializers.SerializerMethodField(help_text="How many responses it has.")

    class Meta:
        model = Telemarket
        fields = [
            "id",
            *services.TELEMARKET_FIELDS,
            "step",
            "is_running",
            "steps",
            "responses",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "step", "created_at", "updated_at"]
        validators = []  # the unique name is checked by the service, in its words

    def get_fields(self):
        fields = super().get_fields()
        fields["activity"].queryset = Activity.objects.in_workspace(_workspace(self))
        return fields

    def get_responses(self, telemarket) -> int:
        return telemarket.responses.count()


class TelemarketChangeStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=Step.choices)


class ScriptStepMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "up"), ("down", "down")])


class TelemarketViewSet(WorkspaceModelViewSet):
    """Telemarkets (manual 000) by name. One with responses cannot be deleted (400)."""

    queryset = (
        Telemarket.objects.select_related("activity")
        .prefetch_related("steps__branches")
        .order_by("name", "pk")
    )
    serializer_class = TelemarketSerializer
    read_capability = "customers.view"
    write_capability = "marketing.manage"
    writes = Writes(
        "telemarket",
        create=services.telemarket_create,
        update=services.telemarket_update,
        delete=services.telemarket_delete,
    )

    @extend_schema(request=TelemarketChangeStepSerializer, responses=TelemarketSerializer)
    @action(detail=True, methods=["post"], url_path="change-step")
    def change_step(self, request, pk=None):
        """Move the telemarket to planned, started or completed."""
        telemarket = self.get_object()
        chosen = TelemarketChangeStepSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        telemarket = services.telemarket_change_step(
            telemarket=telemarket, step=chosen.validated_data["step"], actor=request.user, via="api"
        )
        return ApiResponse(self.get_serializer(telemarket).data)


class ScriptStepFilter(filters.FilterSet):
    telemarket = filters.ModelChoiceFilter(queryset=Telemarket.objects.none())

    class Meta:
        model = ScriptStep
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["telemarket"].queryset = Telemarket.objects.in_workspace(workspace)


class ScriptStepViewSet(viewsets.ModelViewSet):
    """The steps of the workspace's scripts, by telemarket and position; ?telemarket=.
    A step answered in a response cannot be deleted (400)."""

    serializer_class = ScriptStepSerializer
    filterset_class = ScriptStepFilter
    read_capability = "customers.view"
    write_capability = "marketing.manage"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScriptStep.objects.none()
        return (
            _steps_of(self.request.workspace)
            .select_related("telemarket")
            .prefetch_related("branches")
            .order_by("telemarket__name", "telemarket_id", "position")
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.step_add(
            telemarket=data.pop("telemarket"), actor=self.request.user, data=data, via="api"
        )

    def perform_update(self, serializer):
        serializer.instance = services.step_update(
            step=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_destroy(self, instance):
        services.step_delete(step=instance, actor=self.request.user, via="api")

    @extend_schema(request=ScriptStepMoveSerializer, responses=ScriptStepSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Swap the step with the one above (up) or below (down)."""
        step = self.get_object()
        chosen = ScriptStepMoveSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        step = services.step_move(
            step=step, direction=chosen.validated_data["direction"], actor=request.user, via="api"
        )
        return ApiResponse(self.get_serializer(step).data)


class StepBranchViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Branches of the workspace's scripts. To change one, delete it and add another."""

    serializer_class = StepBranchSerializer
    read_capability = "customers.view"
    write_capability = "marketing.manage"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StepBranch.objects.none()
        return StepBranch.objects.filter(
            step__telemarket__workspace=self.request.workspace
        ).order_by("step__telemarket_id", "step__position", "answer")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.branch_add(
            step=data["step"],
            answer=data["answer"],
            goes_to=data.get("goes_to"),
            actor=self.request.user,
            via="api",
        )

    def perform_destroy(self, instance):
        services.branch_delete(branch=instance, actor=self.request.user, via="api")


class TmAnswerSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="step.position", read_only=True)
    question = serializers.CharField(source="step.question", read_only=True)

    class Meta:
        model = Answer
        fields = ["step", "position", "question", "value"]
        read_only_fields = fields


class TmResponseSerializer(serializers.ModelSerializer):
    """A customer's run through a telemarket (one per customer and telemarket). Create it
    with {telemarket, customer} (only a running telemarket); then answer it step by step
    with POST .../answer/. `state` is in_progress until the script's end is reached;
    `step_reached` is the step being asked (or, once completed, the last one answered)."""

    answers = TmAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "telemarket",
            "customer",
            "state",
            "step_reached",
            "agent",
            "answers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "state", "step_reached", "agent", "created_at", "updated_at"]
        validators = []  # one response per customer: the service says so, in its words

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["telemarket"].queryset = Telemarket.objects.in_workspace(workspace)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        return fields


class TmGiveAnswerSerializer(serializers.Serializer):
    step = serializers.PrimaryKeyRelatedField(queryset=ScriptStep.objects.none())
    value = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Choice: one of the step's answers. Yes/no: Yes or No. Number: a decimal "
        "such as 12 or 3.5. Text: up to 2000 characters. Blank skips an optional step.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["step"].queryset = _steps_of(_workspace(self))
        return fields


class TmNextStepSerializer(serializers.Serializer):
    next_step = ScriptStepSerializer(allow_null=True, help_text="null: the script is done.")
    response = TmResponseSerializer()


class TmResponseFilter(ForCustomerFilterSet):
    telemarket = filters.ModelChoiceFilter(queryset=Telemarket.objects.none())

    class Meta:
        model = Response
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["telemarket"].queryset = Telemarket.objects.in_workspace(workspace)


class TmResponseViewSet(
    WorkspaceViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Telemarketing responses of the workspace's customers, latest first; ?customer= and
    ?telemarket=. Changed only by answering steps."""

    queryset = (
        Response.objects.filter(customer__deleted_at__isnull=True)
        .prefetch_related("answers__step")
        .order_by("-updated_at", "-pk")
    )
    serializer_class = TmResponseSerializer
    filterset_class = TmResponseFilter
    read_capability = "customers.view"
    write_capability = "marketing.change"
    writes = Writes("response", delete=services.response_delete)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.response_start(
            telemarket=data["telemarket"],
            customer=data["customer"],
            actor=self.request.user,
            via="api",
        )

    @extend_schema(request=TmGiveAnswerSerializer, responses=TmNextStepSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer one step (the one being asked, or one answered before, to change it) and
        get the step that comes next. Answers to steps a changed answer leaves off the way
        through the script are deleted."""
        response = self.get_object()
        given = TmGiveAnswerSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        following = services.response_answer(
            response=response,
            step=given.validated_data["step"],
            value=given.validated_data["value"],
            actor=request.user,
            via="api",
        )
        response = self.get_queryset().get(pk=response.pk)
        context = self.get_serializer_context()
        return ApiResponse(
            {
                "next_step": ScriptStepSerializer(following, context=context).data
                if following
                else None,
                "response": TmResponseSerializer(response, context=context).data,
            }
        )


ROUTES: list = [
    ("telemarkets", TelemarketViewSet, "telemarket"),
    ("script-steps", ScriptStepViewSet, "scriptstep"),
    ("step-branches", StepBranchViewSet, "stepbranch"),
    ("tm-responses", TmResponseViewSet, "tmresponse"),
]
