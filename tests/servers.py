"""For the tests that start real servers (gunicorn, serve.sh) on the test database."""

from django.db import connection


def database_url() -> str:
    """The test database as a DATABASE_URL, for a server process the test starts."""
    db = connection.settings_dict
    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    port = db["PORT"] or db.get("OPTIONS", {}).get("port", "")
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    if host.startswith("/"):  # a socket directory
        return f"postgres://{credentials}@/{db['NAME']}?host={host}&port={port}"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"
