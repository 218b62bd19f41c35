"""URL converters shared by every app's URLs (registered in OmnichannelConfig.ready)."""


class RowIdConverter:
    """A database row id in a URL: 1 to 18 digits, so it always fits a 64-bit column (`<int:>` would pass
    any length on to the database, which refuses it with an error, not a 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
