"""The API's filter backend: django-filter's, with date-times read as instants in UTC."""

from __future__ import annotations

import datetime
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """ISO 8601 allows UTC offsets up to ±23:59, PostgreSQL stores ±15:59 at most: every aware date-time a
    filter parsed is turned into the same instant in UTC before it reaches the query."""

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and filterset.is_valid():
            cleaned = filterset.form.cleaned_data
            for name, value in cleaned.items():
                if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                    cleaned[name] = value.astimezone(datetime.UTC)
        return filterset
