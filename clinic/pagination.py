"""The API's pages (API.md, General: `{"count", "next", "previous", "results"}`)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF's pages, described as they are: `next` and `previous` always present
    (null at either end), so a generated client need not guess."""

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["required"] = ["count", "next", "previous", "results"]
        return described
