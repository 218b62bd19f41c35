"""Cases for helpdesk tools (care keys; head office keys read): the queue, one case with its live suggestions,
and executing a suggestion through the same services as the care console."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.api.pagination import CursorPagination
from omnichannel.api.schema import paginated
from omnichannel.api.serializers import choice_param, validated
from omnichannel.errors import NotFound
from stores.models import ApiKey
from support_playbook import selectors
from support_playbook.api.serializers import CaseActionInput, CaseDetailOutput, CaseOutput
from support_playbook.models import Case
from support_playbook.scenarios import SCENARIOS
from support_playbook.services import cases as case_services

K = ApiKey.Kind


class CaseListApi(APIView):
    api_key_kinds = {K.CARE, K.HEAD_OFFICE}

    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Case.Status.values),
            OpenApiParameter("scenario", OpenApiTypes.STR, enum=sorted(SCENARIOS)),
            OpenApiParameter("order", OpenApiTypes.STR),
        ],
        responses={200: paginated(CaseOutput, "PaginatedCaseList")},
        description="Open and waiting cases by default (`status` for others), most urgent first.",
    )
    def get(self, request):
        params = request.query_params
        status = choice_param(request, "status", Case.Status.values)
        scenario = choice_param(request, "scenario", sorted(SCENARIOS))
        paginator = CursorPagination()
        paginator.ordering = ("due_by", "id")
        found = selectors.case_queue(status=status, scenario=scenario, order=params.get("order", "")[:20])
        page = paginator.paginate_queryset(found.order_by("due_by", "id"), request, view=self)
        computed = case_services.suggestions_for_cases(page)
        return paginator.get_paginated_response(CaseOutput(page, many=True, context={"suggestions": computed}).data)


def _case(case_id: int) -> Case:
    try:
        return selectors.case_detail(case_id=case_id)
    except NotFound:
        raise NotFound("No such case.", details={"id": case_id}) from None


class CaseDetailApi(APIView):
    api_key_kinds = {K.CARE, K.HEAD_OFFICE}

    @extend_schema(operation_id="cases_retrieve", responses={200: CaseDetailOutput})
    def get(self, request, case_id: int):
        return Response(CaseDetailOutput(_case(case_id)).data)


class CaseActionApi(APIView):
    api_key_kinds = {K.CARE}

    @extend_schema(
        operation_id="cases_action",
        request=CaseActionInput,
        responses={200: CaseDetailOutput},
        description="Execute one of the case's current `suggestions` (its `action` and `params` as given), a manual "
        "action of its scenario (`fix_contact` with `email`/`phone`), `note` (`text`) or `close` (`reason`). A "
        "suggestion that no longer holds is a 409 `stale_suggestion` carrying the current ones.",
    )
    def post(self, request, case_id: int):
        data = validated(CaseActionInput, request.data)
        case = _case(case_id)
        case_services.act_on_case(case=case, action=data["action"], params=data["params"], actor=request.user)
        return Response(CaseDetailOutput(_case(case_id)).data)
