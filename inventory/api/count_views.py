"""Counts from the shop floor (DESIGN.md section 13): RFID readers and handhelds send a count's reads with the
location's key; the OMS opens the count at its first request (its start) and reconciles it when told `final`."""

import re

from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import selectors, services
from omnichannel.db import retry_once_on_lock_conflict
from omnichannel.errors import InvalidInput
from stores.api.locations import own_location
from stores.models import ApiKey

HEX_EPC = re.compile(r"^[0-9A-Fa-f]{24,32}$")
MAX_QUANTITY = 99999

CountInput = inline_serializer(
    "CountInput",
    {
        "count": serializers.CharField(max_length=40, help_text="The count's id, the same on every request of it"),
        "scope": serializers.JSONField(
            required=False, help_text='"store" (a SKU not counted counts 0), {"skus": [...]} or {"zones": [...]}'
        ),
        "started_at": serializers.DateTimeField(
            required=False, help_text="The device's own start (informative: the count starts at the OMS's time)"
        ),
        "reads": inline_serializer(
            "CountReadInput",
            {
                "epc": serializers.CharField(required=False, help_text="SGTIN EPC in hex (e.g. SGTIN-96)"),
                "sku": serializers.CharField(required=False),
                "quantity": serializers.IntegerField(required=False, min_value=0, max_value=MAX_QUANTITY),
            },
            many=True,
        ),
        "final": serializers.BooleanField(required=False, help_text="Reconcile the count now"),
    },
)
CountOutput = inline_serializer(
    "CountOutput",
    {
        "count": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["open", "reconciled", "awaiting_approval"]),
        "started_at": serializers.DateTimeField(),
        "differences": inline_serializer(
            "CountDifference",
            {
                "sku": serializers.CharField(),
                "expected": serializers.IntegerField(),
                "counted": serializers.IntegerField(),
                "adjustment": serializers.IntegerField(),
                "value": serializers.DecimalField(max_digits=12, decimal_places=2),
                "status": serializers.CharField(),
            },
            many=True,
        ),
        "unknown_epcs": serializers.ListField(child=serializers.CharField()),
        "accuracy": serializers.FloatField(allow_null=True),
    },
)


def _reads(raw) -> tuple[list[str], list[tuple[str, int]]]:
    """(EPCs, [(sku, quantity)]) from the body's reads; a 400 naming the first bad one."""
    if raw is None:
        return [], []
    if not isinstance(raw, list) or len(raw) > services.counts.MAX_READS_PER_REQUEST:
        raise InvalidInput("reads is a list of at most 50000 {epc} or {sku, quantity}.", details={"reads": "invalid"})
    epcs, quantities = [], []
    for index, read in enumerate(raw):
        if (
            isinstance(read, dict)
            and set(read) == {"epc"}
            and isinstance(read["epc"], str)
            and HEX_EPC.match(read["epc"])
        ):
            epcs.append(read["epc"])
        elif (
            isinstance(read, dict)
            and set(read) == {"sku", "quantity"}
            and isinstance(read["sku"], str)
            and 0 < len(read["sku"]) <= 64
            and isinstance(read["quantity"], int)
            and not isinstance(read["quantity"], bool)
            and 0 <= read["quantity"] <= MAX_QUANTITY
        ):
            quantities.append((read["sku"], read["quantity"]))
        else:
            raise InvalidInput(
                'Each read is {"epc": hex} or {"sku": code, "quantity": 0..99999}.',
                details={"reads": index},
            )
    return epcs, quantities


class LocationCountApi(APIView):
    """A count of the key's own location, by RFID EPCs or SKU quantities, reconciled as of its start."""

    api_key_kinds = {ApiKey.Kind.LOCATION}

    @extend_schema(
        operation_id="location_counts_create",
        request=CountInput,
        responses={200: CountOutput},
        description="The first request of a count opens it: its start is the OMS's time then. Reads accumulate: an "
        "EPC read twice counts once, an EPC whose GTIN no SKU carries is listed in `unknown_epcs`; a SKU's "
        "quantity replaces its earlier figure. `final: true` reconciles as of the start (sales and receipts "
        "since are kept): differences within tolerance apply at once, beyond it they wait for the store "
        "manager (`awaiting_approval`). 404 unknown SKU or another location; 409 a count already reconciled.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, code: str):
        location = own_location(request, code)
        body = request.data
        allowed = {"count", "scope", "started_at", "reads", "final"}
        if not isinstance(body, dict) or set(body) - allowed:
            raise InvalidInput(
                "Unknown fields.", details={"fields": sorted(set(body) - allowed) if isinstance(body, dict) else "body"}
            )
        count = body.get("count")
        if not isinstance(count, str) or not count.strip() or len(count) > 40:
            raise InvalidInput("count is the count's id (1 to 40 characters).", details={"count": "invalid"})
        final = body.get("final", False)
        if not isinstance(final, bool):
            raise InvalidInput("final is true or false.", details={"final": "invalid"})
        epcs, quantities = _reads(body.get("reads"))
        outcome = services.record_count(
            location=location,
            code=count.strip(),
            scope=body.get("scope"),
            epcs=epcs,
            quantities=quantities,
            final=final,
            actor=request.user,
        )
        return Response(selectors.count_summary(session=outcome.session, unknown_epcs=outcome.unknown_epcs))
