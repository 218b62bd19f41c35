from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stores import shell
from stores.access import store_member_required
from stores.roles import rights_of
from stores.selectors import membership_role, stores_for_user


@login_required
def dashboard(request):
    """After login: straight to the user's store, or a chooser when they work in several."""
    stores = list(stores_for_user(request.user))
    desks = shell.desks_for(request.user)
    if len(stores) == 1 and not desks:
        return redirect("stores:home", store=stores[0].code)
    if not stores and len(desks) == 1:
        return redirect(desks[0].url())
    return render(request, "stores/choose_store.html", {"stores": stores, "desks": desks})


@store_member_required
def home(request):
    location = request.location
    rights = rights_of(request.user, location=location)
    panels = []
    for panel in shell.panels():
        if not panel.shown_for(location) or (panel.right and panel.right not in rights):
            continue
        panels.append({"panel": panel, "context": panel.context(location, request.user)})
    role = membership_role(user=request.user, location=location)
    return render(
        request,
        "stores/home.html",
        {"panels": panels, "role": role, "page_title": _("Store home")},
    )
