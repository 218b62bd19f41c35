import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.stores.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


def test_create_api_key_prints_a_working_key_as_its_last_line():
    SalesChannelFactory(code="web")
    out = io.StringIO()
    call_command("create_api_key", "web", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/locations/").status_code == 200


def test_create_api_key_for_an_unknown_channel_fails_clearly():
    SalesChannelFactory(code="web")
    with pytest.raises(CommandError, match="Unknown sales channel 'shop'. Channels: web"):
        call_command("create_api_key", "shop", stdout=io.StringIO())


@pytest.mark.parametrize(
    "args, kind, owner",
    [
        (["--location", "WH01"], "location", "WH01"),
        (["--carrier", "brt"], "carrier", "BRT"),
        (["--care"], "care", ""),
        (["--head-office"], "head_office", ""),
    ],
)
def test_create_api_key_of_every_kind(args, kind, owner):
    from stores.models import ApiKey
    from tests.stores.factories import LocationFactory

    LocationFactory(code="WH01", kind="warehouse")
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    row = ApiKey.objects.get()
    assert row.kind == kind and (row.location.code if row.location else row.carrier) == owner
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/locations/").status_code == 200


def test_create_api_key_needs_exactly_one_owner():
    SalesChannelFactory(code="web")
    for args in ([], ["web", "--care"], ["--location", "NOPE"]):
        with pytest.raises(CommandError):
            call_command("create_api_key", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_a_key_cannot_have_an_owner_its_kind_does_not_take(db):
    from django.db import IntegrityError

    from stores.models import ApiKey

    channel = SalesChannelFactory(code="web")
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(kind="carrier", carrier="BRT", channel=channel, prefix="x", hashed_key="y")
