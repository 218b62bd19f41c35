"""Store scoping for dashboard pages: a member sees only the stores of their memberships."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from stores.roles import has_right
from stores.selectors import stores_for_user


def store_member_required(view):
    """Resolve the `store` URL kwarg to a Location the user may open, as `request.location`.

    Another store's URL is a 404, not a 403: a store should not even learn which codes exist.
    """

    @wraps(view)
    def wrapper(request, *args, store: str, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        location = stores_for_user(request.user).filter(code=store).first()
        if location is None:
            raise Http404("No such store for this user.")
        request.location = location
        return view(request, *args, **kwargs)

    return wrapper


def store_right_required(right):
    """`store_member_required`, and the person's role at that store has `right` (stores/roles.py), else 403: the
    store's page shows the work, the table says who may do it."""

    def decorate(view):
        @store_member_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_right(request.user, right, location=request.location):
                raise PermissionDenied(str(right))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
