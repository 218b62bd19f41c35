import pytest
from rest_framework.test import APIClient

from stores.models import ApiKey
from stores.services import create_api_key, revoke_api_key
from tests.stores.factories import LocationFactory

pytestmark = pytest.mark.django_db

MILAN_DUOMO = "45.4642,9.1900"


@pytest.fixture
def network(db):
    return {
        "MI01": LocationFactory(
            code="MI01",
            city="Milano",
            latitude=45.4786,
            longitude=9.2105,
            capabilities=["click_and_collect", "same_day"],
        ),
        "MI02": LocationFactory(
            code="MI02", city="Milano", latitude=45.4615, longitude=9.1866, capabilities=["click_and_collect"]
        ),
        "WH01": LocationFactory(
            code="WH01",
            kind="warehouse",
            city="Lacchiarella",
            latitude=45.3237,
            longitude=9.1371,
            capabilities=["ships"],
        ),
        "TO01": LocationFactory(
            code="TO01", city="Torino", latitude=45.0677, longitude=7.6826, capabilities=["click_and_collect"]
        ),
        "RM01": LocationFactory(
            code="RM01", city="Roma", latitude=41.9009, longitude=12.4801, capabilities=["same_day"]
        ),
        "OLD": LocationFactory(code="OLD", active=False),
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Api-Key wrong"},
        {"HTTP_AUTHORIZATION": "Api-Key "},
        {"HTTP_AUTHORIZATION": "Bearer x"},
    ],
)
def test_no_key_or_a_wrong_key_is_401_with_the_error_shape(network, api_key, headers):
    response = APIClient().get("/api/v1/locations/", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed")
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_stops_working(network, web_channel):
    row, raw_key = create_api_key(channel=web_channel)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get("/api/v1/locations/").status_code == 200
    revoke_api_key(api_key=row)
    assert client.get("/api/v1/locations/").status_code == 401


def test_keys_are_stored_hashed(web_channel):
    row, raw_key = create_api_key(channel=web_channel)
    stored = ApiKey.objects.get(pk=row.pk)
    assert raw_key not in (stored.hashed_key, stored.prefix) and raw_key.startswith(stored.prefix)


def test_locations_list_active_ones_with_capabilities(api, network):
    body = api.get("/api/v1/locations/").json()
    assert [loc["code"] for loc in body["results"]] == ["MI01", "MI02", "RM01", "TO01", "WH01"]
    mi01 = body["results"][0]
    assert mi01["capabilities"] == ["click_and_collect", "same_day"]
    assert {"latitude", "longitude", "opening_hours", "timezone", "address"} <= set(mi01)


def test_locations_filtered_by_capability(api, network):
    body = api.get("/api/v1/locations/?capability=same_day").json()
    assert [loc["code"] for loc in body["results"]] == ["MI01", "RM01"]
    response = api.get("/api/v1/locations/?capability=teleport")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_near_central_milan_lists_the_milan_locations_first(api, network):
    body = api.get(f"/api/v1/locations/?near={MILAN_DUOMO}").json()
    codes = [loc["code"] for loc in body["results"]]
    assert codes[:2] == ["MI02", "MI01"]
    assert codes == ["MI02", "MI01", "WH01", "TO01", "RM01"]
    distances = [loc["distance_km"] for loc in body["results"]]
    assert distances == sorted(distances) and distances[0] < 2 and 470 < distances[-1] < 490


@pytest.mark.parametrize("near", ["45.46", "abc,def", "91,9", "45.4,181", "", "nan,9", "1,2,3"])
def test_malformed_near_is_400(api, network, near):
    response = api.get("/api/v1/locations/", {"near": near})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["details"]["near"] == near


def test_unknown_endpoint_is_a_json_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
