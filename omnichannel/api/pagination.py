from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from omnichannel.errors import DomainError


class InvalidCursor(DomainError):
    """A `cursor` this API did not hand out (tampered, truncated, from another list)."""

    code = "invalid_cursor"
    status_code = 400
    default_message = _("This cursor is not valid: start again from the first page.")


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages for channel sync: rows added while a client pages never shift its pages. A cursor that
    does not decode, or whose position is not a value of the ordering's field, is a 400 `invalid_cursor` (DRF
    would answer 404, or pass the position on to the query: a 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise InvalidCursor() from None
        if cursor is not None and cursor.position is not None:
            ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
            try:
                self._model._meta.get_field(ordering.lstrip("-")).to_python(cursor.position)
            except (FieldDoesNotExist, ValidationError, ValueError, TypeError):
                raise InvalidCursor() from None
        return cursor
