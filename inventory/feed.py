"""The channel availability feed (reads): what each SKU of a channel's listings publishes now, the changes since a
cursor, and a paged snapshot to start from (DESIGN.md section 13).

Positions are (transaction id, change id). A reader returns only changes of transactions older than every
transaction still in flight (PostgreSQL's `pg_snapshot_xmin(pg_current_snapshot())`): a transaction that has not
committed yet, or has not written yet, can only ever add changes above that horizon, so a change committed out
of order is never skipped, and the cursor never has to go back. On the SQLite demo there is one writer at a
time: the change ids alone are in commit order. Cursors are signed with the time they were given: a tampered one
is a 400, one older than `AVAILABILITY_FEED_RETENTION` (the log is pruned past it) a 410 `cursor_expired`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU, AvailabilityChange, ChannelListing, StockLevel
from omnichannel.errors import DomainError, InvalidInput
from stores.selectors import ChannelInfo

SALT = "availability-feed"
PAGE_SIZE = 500
# Changes read per request: each changed SKU is answered once, with its latest number.
CHANGES_PER_READ = 5000


class CursorExpired(DomainError):
    code = "cursor_expired"
    status_code = 410
    default_message = _("This cursor is older than the feed keeps changes: read a snapshot again (no cursor).")


@dataclass(frozen=True)
class Position:
    txid: int
    change_id: int


def _sign(kind: str, **values) -> str:
    return signing.dumps({"k": kind, **values}, salt=SALT, compress=True)


def _unsign(token: str, kind: str) -> dict:
    max_age = settings.AVAILABILITY_FEED_RETENTION.total_seconds()
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise CursorExpired(details={"retention_hours": max_age / 3600}) from None
    except signing.BadSignature:
        raise InvalidInput(_("Not a cursor of this feed."), details={"cursor": "invalid"}) from None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise InvalidInput(_("Not a cursor of this feed."), details={"cursor": "invalid"})
    return data


def cursor_token(position: Position) -> str:
    return _sign("c", t=position.txid, i=position.change_id)


def read_cursor(token: str) -> Position:
    data = _unsign(token, "c")
    return Position(int(data["t"]), int(data["i"]))


def horizon(using: str = DEFAULT_DB_ALIAS) -> Position:
    """The position from which nothing can still appear behind: every change below it is committed (on `using`:
    a replica's horizon is that of what it has replayed)."""
    with connections[using].cursor() as cursor:
        if connections[using].vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            return Position(cursor.fetchone()[0], 0)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {AvailabilityChange._meta.db_table}")
        return Position(0, cursor.fetchone()[0])


def published_numbers(*, channel: ChannelInfo, sku_ids, using: str = DEFAULT_DB_ALIAS) -> dict[int, int]:
    """What the channel publishes for each SKU now: Σ available (on hand − committed − safety stock, never below
    0) over its source locations (the network snapshot's: active ones only), through its publishing policy
    (`ChannelInfo.published_number`); 0 for a SKU that is not active or whose listing is not published. One
    query."""
    sku_ids = list(sku_ids)
    listed = (
        ChannelListing.objects.using(using)
        .filter(channel_id=channel.id, sku_id__in=sku_ids, published=True, sku__active=True)
        .annotate(
            units=Sum(
                Greatest(
                    F("sku__stock_levels__on_hand")
                    - F("sku__stock_levels__committed")
                    - F("sku__stock_levels__safety_stock"),
                    0,
                ),
                filter=Q(sku__stock_levels__location_id__in=list(channel.source_ids)),
            )
        )
        .values_list("sku_id", "units")
    )
    numbers = dict.fromkeys(sku_ids, 0)
    for sku_id, units in listed:
        numbers[sku_id] = channel.published_number(units or 0)
    return numbers


def _answer(channel: ChannelInfo, sku_ids: list[int], *, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
    numbers = published_numbers(channel=channel, sku_ids=sku_ids, using=using)
    codes = dict(SKU.objects.using(using).filter(pk__in=sku_ids).values_list("pk", "code"))
    return [{"sku": codes[sku_id], "channel_available": numbers[sku_id]} for sku_id in sorted(sku_ids, key=codes.get)]


def changes_since(*, channel: ChannelInfo, cursor: str) -> dict:
    """Each SKU of the channel's listings whose number may have changed since `cursor`, once, with its number
    now, and the cursor to continue from. An empty `results` with the same position: up to date."""
    results, position, read = changes_after(channel=channel, position=read_cursor(cursor))
    return {"results": results, "next_cursor": cursor_token(position), "changes_read": read}


def changes_after(*, channel: ChannelInfo, position: Position) -> tuple[list[dict], Position, int]:
    """(each changed listed SKU with its number now, the position read up to, changes read) past `position`, up to
    CHANGES_PER_READ changes: the feed's and the webhooks' one read."""
    stable = horizon()
    if connection.vendor == "postgresql":
        answer = _changes_in_one_statement(channel=channel, start=position, stable=stable)
        return answer["results"], answer["position"], answer["changes_read"]
    rows = AvailabilityChange.objects.filter(
        Q(txid__gt=position.txid) | Q(txid=position.txid, id__gt=position.change_id), id__lte=stable.change_id
    ).order_by("txid", "id")
    read = list(rows.values_list("txid", "id", "sku_id", "location_id")[:CHANGES_PER_READ])
    if not read:
        return [], position, 0
    sources = channel.source_ids
    touched = {sku_id for _txid, _id, sku_id, location_id in read if location_id is None or location_id in sources}
    listed = set(
        ChannelListing.objects.filter(channel_id=channel.id, sku_id__in=touched).values_list("sku_id", flat=True)
    )
    return _answer(channel, sorted(listed)), Position(read[-1][0], read[-1][1]), len(read)


# The changes past a position and below the horizon, the channel's listed SKUs among them with the number each
# publishes now, and the last position read: one statement (three reads with IN lists of thousands of ids cost
# more in binding than in PostgreSQL).
CHANGES_SQL = """
WITH changed AS (
    SELECT c.txid, c.id, c.sku_id, c.location_id FROM {log} c
    WHERE (c.txid, c.id) > (%(txid)s, %(change_id)s) AND c.txid < %(horizon)s
    ORDER BY c.txid, c.id LIMIT %(limit)s
),
touched AS (
    SELECT DISTINCT sku_id FROM changed WHERE location_id IS NULL OR location_id = ANY(%(sources)s)
),
numbers AS (
    SELECT k.code, (l.published AND k.active) AS on_sale,
           COALESCE(SUM(GREATEST(s.on_hand - s.committed - s.safety_stock, 0)), 0) AS units
    FROM touched t
    JOIN {listing} l ON l.sku_id = t.sku_id AND l.channel_id = %(channel)s
    JOIN {sku} k ON k.id = t.sku_id
    LEFT JOIN {level} s ON s.sku_id = t.sku_id AND s.location_id = ANY(%(sources)s)
    GROUP BY k.code, l.published, k.active
)
SELECT code, on_sale, units, NULL::bigint, NULL::bigint, NULL::bigint FROM numbers
UNION ALL
SELECT NULL, NULL, NULL, txid, id, (SELECT count(*) FROM changed)
FROM (SELECT txid, id FROM changed ORDER BY txid DESC, id DESC LIMIT 1) AS last
"""


def _changes_in_one_statement(*, channel: ChannelInfo, start: Position, stable: Position) -> dict:
    sql = CHANGES_SQL.format(
        log=AvailabilityChange._meta.db_table,
        listing=ChannelListing._meta.db_table,
        sku=SKU._meta.db_table,
        level=StockLevel._meta.db_table,
    )
    params = {
        "txid": start.txid,
        "change_id": start.change_id,
        "horizon": stable.txid,
        "limit": CHANGES_PER_READ,
        "sources": list(channel.source_ids),
        "channel": channel.id,
    }
    results, position, read = [], start, 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for code, on_sale, units, txid, change_id, count in cursor.fetchall():
            if code is None:
                position, read = Position(txid, change_id), count
            else:
                number = channel.published_number(units) if on_sale else 0
                results.append({"sku": code, "channel_available": number})
    results.sort(key=lambda entry: entry["sku"])
    return {"results": results, "position": position, "changes_read": read}


def snapshot_page(*, channel: ChannelInfo, page: str | None, using: str = DEFAULT_DB_ALIAS) -> dict:
    """A page of every SKU of the channel's listings with its number now. The first page fixes the horizon; the
    last page carries the cursor from that horizon, so following it misses no change made while paging.

    On a replica (`using`): the horizon is the replica's, so numbers and cursor agree; a later page is read there
    only when the replica has replayed up to the snapshot's horizon (its first page may have come from the primary),
    else on the primary: a page's numbers are never older than the cursor that follows them."""
    if page:
        data = _unsign(page, "s")
        after, start = int(data["a"]), Position(int(data["t"]), int(data["i"]))
        if using != DEFAULT_DB_ALIAS and horizon(using).txid < start.txid:
            using = DEFAULT_DB_ALIAS
    else:
        after, start = 0, horizon(using)
    sku_ids = list(
        ChannelListing.objects.using(using)
        .filter(channel_id=channel.id, sku_id__gt=after)
        .order_by("sku_id")
        .values_list("sku_id", flat=True)[: PAGE_SIZE + 1]
    )
    more = len(sku_ids) > PAGE_SIZE
    sku_ids = sku_ids[:PAGE_SIZE]
    answer = {"results": _answer(channel, sku_ids, using=using)}
    if more:
        answer["next_page"] = _sign("s", a=sku_ids[-1], t=start.txid, i=start.change_id)
        answer["next_cursor"] = None
    else:
        answer["next_page"] = None
        answer["next_cursor"] = cursor_token(start)
    return answer
