"""Who did something, for event and ledger rows: a staff user, or the API key a request came with."""


def actor_fields(actor) -> dict:
    """`{"actor": user}` or `{"actor": None, "api_key_id": id}` for a row with `actor` and `api_key` columns;
    anything else (the system, an anonymous request) records neither."""
    api_key_id = getattr(actor, "api_key_id", None)
    if api_key_id:
        return {"actor": None, "api_key_id": api_key_id}
    is_user = getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None)
    return {"actor": actor if is_user else None}
