from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages for channel sync: rows added while a client pages never shift its pages."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"
