from rest_framework import serializers

from omnichannel.api.serializers import StrictInput
from support_playbook.services.cases import suggestions_for


class SuggestionOut(serializers.Serializer):
    action = serializers.CharField()
    params = serializers.DictField()
    label = serializers.CharField()


class CaseOutput(serializers.Serializer):
    """A case as a helpdesk reads it; `suggestions` are computed now from live data (an action's `params` are
    posted back as they are)."""

    id = serializers.IntegerField()
    scenario = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.IntegerField()
    due_by = serializers.DateTimeField()
    default_at = serializers.DateTimeField(allow_null=True)
    order = serializers.CharField(source="order.number", allow_null=True, default=None)
    reservation = serializers.CharField(source="reservation.number", allow_null=True, default=None)
    return_request = serializers.CharField(source="return_request.number", allow_null=True, default=None)
    fulfillment = serializers.IntegerField(source="fulfillment_id", allow_null=True)
    location = serializers.CharField(source="location.code", allow_null=True, default=None)
    sku = serializers.CharField(source="sku.code", allow_null=True, default=None)
    customer_email = serializers.CharField(source="customer.email", allow_null=True, default=None)
    resolution = serializers.CharField()
    created_at = serializers.DateTimeField()
    suggestions = serializers.SerializerMethodField()

    def get_suggestions(self, case) -> list[dict]:
        computed = self.context.get("suggestions")  # a page's, computed together by the list
        return [s.as_dict() for s in (computed[case.pk] if computed is not None else suggestions_for(case))]


class CaseEventOut(serializers.Serializer):
    type = serializers.CharField()
    data = serializers.DictField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="actor_label")


class CaseTaskOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    location = serializers.CharField(source="location.code")
    result = serializers.DictField()


class CaseDetailOutput(CaseOutput):
    events = CaseEventOut(many=True, source="events.all")
    tasks = CaseTaskOut(many=True, source="tasks.all")


class CaseActionInput(StrictInput):
    """A suggestion posted back as it came (its `label` is accepted and ignored), or a manual action."""

    action = serializers.CharField(max_length=40)
    params = serializers.DictField(required=False, default=dict)
    label = serializers.CharField(required=False, max_length=500, help_text="Ignored.")
