"""Who is acting: a person through a membership, an API key, or the system (tasks, commands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from sourcing.errors import ScopeError

if TYPE_CHECKING:
    from sourcing.models import ApiKey, Membership, User


@dataclass(frozen=True)
class Actor:
    scopes: frozenset[str]
    user: User | None = None
    membership: Membership | None = None
    api_key: ApiKey | None = None
    ip_address: str | None = None
    system_label: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_membership(cls, membership: Membership, *, ip_address: str | None = None) -> Actor:
        return cls(scopes=membership.scopes, user=membership.user, membership=membership, ip_address=ip_address)

    @classmethod
    def for_api_key(cls, api_key: ApiKey, *, ip_address: str | None = None) -> Actor:
        return cls(scopes=api_key.effective_scopes, api_key=api_key, ip_address=ip_address)

    @classmethod
    def system(cls, label: str, scopes: frozenset[str] | None = None) -> Actor:
        from sourcing.roles import ROLE_SCOPES

        all_scopes = frozenset().union(*ROLE_SCOPES.values())
        return cls(scopes=all_scopes if scopes is None else scopes, system_label=label)

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.email
        if self.api_key is not None:
            return f"api-key:{self.api_key.name}"
        return f"system:{self.system_label}"

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise ScopeError(_("You do not have permission to do this."), code="permission_denied")
