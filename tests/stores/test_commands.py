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
