"""Imports point one way (DESIGN.md section 3): between apps, and inside orders/ between its aggregates.

Between apps: omnichannel ← stores ← inventory ← orders ← notifications ← support_playbook (omnichannel's settings,
urls, wsgi and asgi are the composition root and name every app).

Inside orders/, lowest first: the kernel (errors, events, signals, locks, timeline, idempotency, the channel API's
shape, shared forms and admin inlines) ← payments ← fulfillment ← placement ← reservations, returns ← care,
shop_floor. A package imports its own modules and lower packages; packages on one level never import each other.
Every module may import the models (`orders.models` and each package's `models`): one app, one schema, and a
foreign key needs its target.
The app's front doors (`orders.services`, `orders.selectors`, `orders.admin`, `orders.tasks`, `orders.apps`,
the template tags) are for the other apps and for Django: they may import anything in orders/, and nothing in
orders/ imports them."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP_LAYER = {"omnichannel": 0, "stores": 1, "inventory": 2, "orders": 3, "notifications": 4, "support_playbook": 5}
# omnichannel's settings, urls (the API's too), wsgi and asgi: the composition root, which names every app.
COMPOSITION_ROOT = ("urls", "settings", "wsgi", "asgi")

ORDERS_KERNEL = {
    "errors",
    "events",
    "signals",
    "locks",
    "timeline",
    "idempotency",
    "channel_api",
    "forms",
    "admin_inlines",
}
ORDERS_LAYER = {
    "payments": 1,
    "fulfillment": 2,
    "placement": 3,
    "reservations": 4,
    "returns": 4,
    "care": 5,
    "shop_floor": 5,
}
ORDERS_FRONT_DOORS = {"services", "selectors", "admin", "tasks", "apps", "templatetags", "models", "migrations"}


def module_of(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, known: set[str]) -> list[tuple[int, str]]:
    """Every module a file imports, lazy imports included; `from orders import locks` is `orders.locks`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.append((node.lineno, candidate if candidate in known else node.module))
    return sorted(set(found))


def orders_place(module: str) -> tuple[str, int | None]:
    """(kind, layer) of a module of orders/: 'kernel' (0), 'package' (its layer), 'models', or 'front door'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "front door", None
    head = parts[1]
    if head in ORDERS_LAYER:
        return ("models" if parts[-1] == "models" else "package"), ORDERS_LAYER[head]
    if head in ORDERS_KERNEL:
        return "kernel", 0
    if head in ORDERS_FRONT_DOORS:
        return ("models" if head == "models" else "front door"), None
    raise AssertionError(f"{module}: a new module of orders/ needs its place in this test's table")


def orders_violation(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported` (both in orders/), or None."""
    kind, layer = orders_place(importer)
    target_kind, target_layer = orders_place(imported)
    if kind == "front door" or target_kind == "models" or imported == "orders":
        return None
    if target_kind == "front door":
        return "imports a front door of orders/ (import the package's own module)"
    if kind in ("kernel", "models"):
        return None if target_kind == "kernel" else "the kernel and the models import no package's code"
    same_package = importer.split(".")[1] == imported.split(".")[1]
    if same_package or target_layer < layer:
        return None
    return "imports a package on its own level or above"


def violations() -> tuple[list[str], int]:
    files = [
        path
        for app in APP_LAYER
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    ]
    known = {module_of(path) for path in files}
    found = []
    for path in files:
        rel, importer = path.relative_to(ROOT).as_posix(), module_of(path)
        app = importer.split(".")[0]
        for line, imported in imported_modules(ast.parse(path.read_text(encoding="utf-8")), known):
            top = imported.split(".")[0]
            if top not in APP_LAYER or top == app:
                if app == top == "orders" and (why := orders_violation(importer, imported)):
                    found.append(f"{rel}:{line} imports {imported}: {why}")
                continue
            if app == "omnichannel" and not any(word in rel for word in COMPOSITION_ROOT):
                found.append(f"{rel}:{line} imports {imported}: shared helpers depend on no app")
            elif app != "omnichannel" and APP_LAYER[top] > APP_LAYER[app]:
                found.append(f"{rel}:{line} imports {imported}: an app above it")
    return found, len(files)


def test_every_import_points_down():
    found, files = violations()
    assert files > 150, "the walk must see the project's modules"
    assert found == []


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("orders.returns.receiving", "orders.payments.money", True),
        ("orders.returns.exchanges", "orders.placement.services", True),
        ("orders.reservations.services", "orders.fulfillment.services", True),
        ("orders.fulfillment.services", "orders.returns.common", False),
        ("orders.payments.money", "orders.fulfillment.services", False),
        ("orders.payments.money", "orders.fulfillment.models", True),
        ("orders.returns.services", "orders.reservations.services", False),
        ("orders.fulfillment.views", "orders.care.services", False),
        ("orders.placement.api", "orders.services", False),
        ("orders.locks", "orders.models", True),
        ("orders.locks", "orders.fulfillment.services", False),
        ("orders.services", "orders.shop_floor.services", True),
    ],
)
def test_the_orders_table_allows_down_and_refuses_up(importer, imported, allowed):
    assert (orders_violation(importer, imported) is None) is allowed
