"""The dashboard shell's registry of panels (store home) and menu entries (navigation).

Each app registers its own in `AppConfig.ready`, so the shell never imports an upper app and a new
capability adds its page without editing `stores/` (DESIGN.md section 3).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class _ShownInStores:
    # Optional: a capability the store needs for this to show (e.g. reservations only where they exist).
    capability: str = field(default="", kw_only=True)

    def shown_for(self, location) -> bool:
        return not self.capability or location.has_capability(self.capability)


@dataclass(frozen=True)
class MenuEntry(_ShownInStores):
    key: str
    title: str
    url_name: str  # reversed with the store code: `url_name`, kwargs={"store": code}
    order: int = 100
    # Optional badge: a function (location, user) -> int shown next to the title when non-zero.
    badge: Callable | None = None

    def url(self, location) -> str:
        return reverse(self.url_name, kwargs={"store": location.code})


@dataclass(frozen=True)
class Panel(_ShownInStores):
    """A block on the store home: `context(location, user)` returns the template's context."""

    key: str
    title: str
    template: str
    context: Callable = field(default=lambda location, user: {})
    order: int = 100
    # Optional: a right (stores.roles.Right) the person needs at this store to see the panel.
    right: str = ""


@dataclass(frozen=True)
class Desk:
    """A workplace that is not one store (customer care's case queue): shown to people with `right`, and where
    someone with no store goes after login."""

    key: str
    title: str
    url_name: str  # reversed without arguments
    right: str
    order: int = 100

    def url(self) -> str:
        return reverse(self.url_name)


_menu: dict[str, MenuEntry] = {}
_desks: dict[str, Desk] = {}
_panels: dict[str, Panel] = {}


def register_menu_entry(entry: MenuEntry) -> None:
    _menu[entry.key] = entry


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def register_desk(desk: Desk) -> None:
    _desks[desk.key] = desk


def desks_for(user) -> list[Desk]:
    from stores.roles import rights_of

    rights = rights_of(user)
    return sorted((d for d in _desks.values() if d.right in rights), key=lambda d: (d.order, d.key))


def menu_entries() -> list[MenuEntry]:
    return sorted(_menu.values(), key=lambda e: (e.order, e.key))


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))
