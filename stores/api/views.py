from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from omnichannel.api.errors import error_response
from omnichannel.geo import parse_point
from stores.models import ApiKey, Capability
from stores.selectors import locations, sorted_by_distance


class LocationListApi(APIView):
    """Active locations with their capabilities; `?near=lat,lon` sorts them by distance. Every key kind."""

    api_key_kinds = set(ApiKey.Kind.values)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        kind = serializers.CharField()
        address = serializers.CharField()
        city = serializers.CharField()
        postcode = serializers.CharField()
        country = serializers.CharField()
        phone = serializers.CharField()
        latitude = serializers.FloatField()
        longitude = serializers.FloatField()
        timezone = serializers.CharField()
        opening_hours = serializers.DictField()
        capabilities = serializers.ListField(child=serializers.CharField())
        distance_km = serializers.FloatField(required=False)

    @extend_schema(
        operation_id="locations_list",
        parameters=[
            OpenApiParameter(
                "capability", OpenApiTypes.STR, enum=Capability.values, description="Only locations offering it"
            ),
            OpenApiParameter("near", OpenApiTypes.STR, description="`lat,lon`: nearest first, with `distance_km`"),
        ],
        responses={
            200: inline_serializer(
                "LocationList", {"results": OutputSerializer(many=True), "count": serializers.IntegerField()}
            )
        },
    )
    def get(self, request):
        capability = request.query_params.get("capability")
        if capability and capability not in Capability.values:
            return error_response(
                code="invalid",
                message=f"Unknown capability: {capability}",
                details={"capability": capability, "allowed": Capability.values},
                status_code=400,
            )
        rows = list(locations(capability=capability))
        near = request.query_params.get("near")
        if near is not None:
            try:
                lat, lon = parse_point(near)
            except ValueError as exc:
                return error_response(
                    code="invalid", message=f"Bad near: {exc}", details={"near": near}, status_code=400
                )
            data = []
            for location, km in sorted_by_distance(rows, lat=lat, lon=lon):
                item = self.OutputSerializer(location).data
                item["distance_km"] = round(km, 1)
                data.append(item)
        else:
            data = self.OutputSerializer(rows, many=True).data
        return _list_response(data)


def _list_response(data):
    from rest_framework.response import Response

    return Response({"results": data, "count": len(data)})
