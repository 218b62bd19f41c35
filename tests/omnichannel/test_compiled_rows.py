"""`omnichannel.db.compiled_rows`: the rows the ORM's queryset gives, its SQL compiled once per shape."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import SKU
from omnichannel.db import compiled_rows
from tests.inventory.factories import SKUFactory

pytestmark = pytest.mark.django_db


def skus_by_code(codes):
    return SKU.objects.filter(code__in=codes, active=True).values_list("id", "code").order_by("code")


def test_the_rows_are_the_querysets_whatever_the_parameters():
    skus = {code: SKUFactory(code=code) for code in ("TEE-S", "TEE-M", "TEE-L")}
    SKUFactory(code="TEE-XL", active=False)
    for codes in (["TEE-M"], ["TEE-S", "TEE-L"], ["TEE-L", "TEE-XL"], ["NOPE", "TEE-S"], ["TEE-M", "TEE-S", "TEE-L"]):
        assert compiled_rows("test skus", skus_by_code, codes) == list(skus_by_code(codes))
    assert compiled_rows("test skus", skus_by_code, ["TEE-S"]) == [(skus["TEE-S"].pk, "TEE-S")]


def test_one_statement_with_the_calls_own_parameters():
    SKUFactory(code="TEE-M")
    compiled_rows("test skus", skus_by_code, ["A", "B"])  # compiled
    with CaptureQueriesContext(connection) as ctx:
        assert compiled_rows("test skus", skus_by_code, ["TEE-M", "B"])[0][1] == "TEE-M"
    assert len(ctx.captured_queries) == 1
    assert "'TEE-M'" in ctx.captured_queries[0]["sql"]


def test_a_queryset_whose_parameters_are_not_the_given_ones_is_refused():
    def with_a_constant(codes):
        return SKU.objects.filter(code__in=codes, colour="Nero").values_list("id")

    with pytest.raises(ValueError, match="parameters"):
        compiled_rows("test constant", with_a_constant, ["TEE-M"])
