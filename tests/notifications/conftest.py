import pytest

from tests.notifications.fakes import FakeTwilioHttp


@pytest.fixture(autouse=True)
def twilio(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_FROM = "+390212345678"
    settings.TWILIO_HTTP_CLIENT = "tests.notifications.fakes.FakeTwilioHttp"
    settings.PUBLIC_BASE_URL = "https://oms.example.com"
    FakeTwilioHttp.reset()
    yield FakeTwilioHttp
    FakeTwilioHttp.reset()
