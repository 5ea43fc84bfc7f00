"""Object-level grants for agents: django-guardian with direct foreign-key permission models that carry the
tenant. Each assignable model declares its own ``<Model>AgentGrant`` built from ``agent_grant_model``."""

from __future__ import annotations

from typing import Any

from django.db import models
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from sourcing.tenancy import TenantManager, TenantScopedModel


class AgentGrantManager(TenantManager[Any], UserObjectPermissionManager):
    """Guardian's assign/remove helpers over a queryset that is scoped to the current tenant."""


class AgentGrantBase(UserObjectPermissionBase, TenantScopedModel):
    """A user's permission on one object of this tenant. Subclasses add ``content_object``."""

    objects = AgentGrantManager()  # type: ignore[misc]

    class Meta:
        abstract = True
        unique_together: list[str] = []  # type: ignore[misc]


def grant_constraints(model_name: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(
            fields=["tenant", "user", "permission", "content_object"], name=f"{model_name}_unique_grant"
        )
    ]
