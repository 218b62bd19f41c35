from stores import shell
from stores.selectors import stores_for_user


def dashboard(request):
    """The shell's navigation for dashboard pages: the current store, the user's stores, menu entries."""
    location = getattr(request, "location", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    desks = [{"title": d.title, "url": d.url(), "key": d.key} for d in shell.desks_for(request.user)]
    if location is None:
        return {"desks": desks}
    menu = []
    for entry in shell.menu_entries():
        if not entry.shown_for(location):
            continue
        badge = entry.badge(location, request.user) if entry.badge else 0
        menu.append({"title": entry.title, "url": entry.url(location), "badge": badge, "key": entry.key})
    return {
        "current_store": location,
        "user_stores": list(stores_for_user(request.user).only("code", "name")),
        "dashboard_menu": menu,
        "desks": desks,
    }
