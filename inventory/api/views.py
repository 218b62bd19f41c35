from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import selectors
from omnichannel.api.pagination import CursorPagination
from omnichannel.api.schema import paginated
from omnichannel.errors import InvalidInput
from omnichannel.geo import parse_point
from omnichannel.replica import read_on_replica
from stores.api.channels import request_channel
from stores.models import ApiKey

K = ApiKey.Kind
# The catalog and availability: what a channel sells, head office and customer care read too.
CATALOG_READERS = {K.CHANNEL, K.HEAD_OFFICE, K.CARE}


class SkuSerializer(serializers.Serializer):
    sku = serializers.CharField(source="code")
    gtin = serializers.CharField()
    colour = serializers.CharField()
    size = serializers.CharField()
    price = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()

    def _listing(self, sku):
        listings = list(sku.listings.all())  # prefetched, filtered to the channel
        return listings[0] if listings else None

    def get_price(self, sku) -> str | None:
        listing = self._listing(sku)
        return str(listing.price) if listing else None

    def get_currency(self, sku) -> str | None:
        listing = self._listing(sku)
        return listing.currency if listing else None


class ProductSerializer(serializers.Serializer):
    style = serializers.CharField()
    name = serializers.CharField()
    brand = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    skus = SkuSerializer(many=True)


CHANNEL_PARAM = OpenApiParameter(
    "channel", OpenApiTypes.STR, description="Sales channel code; defaults to the API key's channel"
)


class ProductListApi(APIView):
    """The catalog: products with their SKUs and the channel's price (cursor-paginated)."""

    api_key_kinds = CATALOG_READERS

    @extend_schema(
        operation_id="products_list",
        parameters=[CHANNEL_PARAM, OpenApiParameter("category", OpenApiTypes.STR)],
        responses={200: paginated(ProductSerializer, "PaginatedProductList")},
    )
    def get(self, request):
        channel = request_channel(request, required=False)
        products = selectors.products_with_skus(channel_id=channel.id if channel else None)
        category = request.query_params.get("category")
        if category:
            products = products.filter(category__iexact=category)
        paginator = CursorPagination()
        page = paginator.paginate_queryset(products.order_by("id"), request, view=self)
        return paginator.get_paginated_response(ProductSerializer(page, many=True).data)


class ProductDetailApi(APIView):
    """One product, found by any of its SKU codes."""

    api_key_kinds = CATALOG_READERS

    @extend_schema(operation_id="products_retrieve", parameters=[CHANNEL_PARAM], responses={200: ProductSerializer})
    def get(self, request, sku: str):
        channel = request_channel(request, required=False)
        product = selectors.product_for_sku_code(code=sku, channel_id=channel.id if channel else None)
        return Response(ProductSerializer(product).data)


class AvailabilityApi(APIView):
    """Available-to-sell per SKU for a channel, and per location (nearest first with `near`)."""

    api_key_kinds = CATALOG_READERS

    OutputSerializer = inline_serializer(
        "Availability",
        {
            "results": inline_serializer(
                "SkuAvailability",
                {
                    "sku": serializers.CharField(),
                    "channel_available": serializers.IntegerField(),
                    "explanation": serializers.DictField(required=False),
                    "locations": inline_serializer(
                        "LocationAvailability",
                        {
                            "location": serializers.CharField(),
                            "available": serializers.IntegerField(),
                            "distance_km": serializers.FloatField(required=False),
                        },
                        many=True,
                    ),
                },
                many=True,
            )
        },
    )

    @extend_schema(
        operation_id="availability",
        parameters=[
            OpenApiParameter("skus", OpenApiTypes.STR, required=True, description="Comma-separated SKU codes (≤ 100)"),
            CHANNEL_PARAM,
            OpenApiParameter("location", OpenApiTypes.STR, description="Only this location (listed even at 0)"),
            OpenApiParameter("near", OpenApiTypes.STR, description="`lat,lon`: locations nearest first, with distance"),
            OpenApiParameter(
                "explain",
                OpenApiTypes.BOOL,
                description="Add how each number is made: every location's available and whether it counts for the "
                "channel, the units at its sources, the buffer, the policy (list 0 at or below, most units listed)",
            ),
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request):
        params = request.query_params
        sku_codes = selectors.parse_sku_codes(params.get("skus", ""))
        near = None
        if params.get("near") is not None:
            try:
                near = parse_point(params["near"])
            except ValueError as exc:
                raise InvalidInput(f"Bad near: {exc}", details={"near": params["near"]}) from None
        channel = request_channel(request, required=True)
        explain = params.get("explain", "").lower() in ("1", "true")
        results = read_on_replica(
            request,
            lambda using: selectors.availability(
                sku_codes=sku_codes,
                channel=channel,
                location_code=params.get("location") or None,
                near=near,
                explain=explain,
                using=using,
            ),
        )
        return Response({"results": results})
