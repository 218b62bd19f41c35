from django.utils.translation import gettext_lazy as _

from omnichannel.errors import DomainError


class StaleSuggestion(DomainError):
    """The suggestion acted on no longer holds (a concurrent sale took the units, the parcel moved on): the
    error carries the suggestions as they are now."""

    code = "stale_suggestion"
    status_code = 409
    default_message = _("That suggestion no longer holds: the situation changed. Here are the current ones.")


class CaseClosed(DomainError):
    code = "case_closed"
    status_code = 409
    default_message = _("This case is already resolved or closed.")
