"""A fake HTTP client for the real Twilio SDK: records every request, answers from a queue (no network)."""

import json
import logging
from urllib.parse import parse_qs

from twilio.http import HttpClient
from twilio.http.response import Response


class FakeTwilioHttp(HttpClient):
    requests: list = []
    replies: list = []  # (status, body) to answer next; empty = success

    def __init__(self):
        super().__init__(logger=logging.getLogger("twilio.fake"), is_async=False)

    def request(
        self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False
    ):
        FakeTwilioHttp.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        if FakeTwilioHttp.replies:
            status, body = FakeTwilioHttp.replies.pop(0)
            return Response(status, json.dumps(body))
        sid = f"SM{len(FakeTwilioHttp.requests):032d}"
        return Response(201, json.dumps({"sid": sid, "status": "queued", "to": (data or {}).get("To")}))

    @classmethod
    def reset(cls):
        cls.requests, cls.replies = [], []


def form(body: str) -> dict:
    return {k: v[0] for k, v in parse_qs(body).items()}
