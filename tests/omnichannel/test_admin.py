import io

import pytest
from django.contrib import admin
from django.core.management import call_command

from tests.stores.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_head_office_can_open_every_admin_page(client):
    call_command("seed_demo", stdout=io.StringIO())
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    for model in admin.site._registry:
        meta = model._meta
        changelist = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "MI01"}).status_code == 200, changelist
        first = model.objects.order_by("pk").first()
        if first is not None:
            assert client.get(f"{changelist}{first.pk}/change/").status_code == 200, changelist
