"""Domain errors shared by every app.

Services raise these with the data a caller needs; `omnichannel.api.errors.exception_handler` maps them once
to the API error shape and the dashboard views turn them into form errors.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the request. `code` is machine-readable, `message` is for people."""

    code = "domain_error"
    status_code = 422
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, details=None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(str(self.message))


class NotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class InvalidInput(DomainError):
    code = "invalid"
    status_code = 400
    default_message = _("The request is not valid.")


class InvalidTransition(DomainError):
    """A state change the aggregate's transition table does not allow from its current state."""

    code = "invalid_transition"
    status_code = 409

    def __init__(self, *, current, wanted, allowed, message=None):
        self.current, self.wanted, self.allowed = current, wanted, sorted(allowed)
        super().__init__(
            message
            or _("Cannot go from %(current)s to %(wanted)s; allowed: %(allowed)s.")
            % {"current": current, "wanted": wanted, "allowed": ", ".join(self.allowed) or "-"},
            details={"current": current, "wanted": wanted, "allowed": self.allowed},
        )


class Retryable(Exception):
    """Mixed into an error raised when a transaction lost a race with another request (stock sold between
    reading and holding it): running the request again may succeed. `settled()` is the answer when it fails
    again."""

    def settled(self) -> Exception:
        return self
