"""Base classes for every tenant API endpoint. They own authentication, scope checks, the tenant scope and
idempotency; subclasses may not override ``dispatch``, ``initial``, ``get_permissions``, ``principal_scope`` or
``get_authenticators`` (enforced at class creation), so no endpoint can forget them. The ERP API's classes are
here; the partner API's (``sourcing.api.partner``) share the same plumbing with another principal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sourcing.actors import Actor
from sourcing.api.idempotency import run_idempotent
from sourcing.api.inputs import check_body, check_query
from sourcing.errors import NotFoundError
from sourcing.models import ApiKey, Tenant
from sourcing.web import client_ip


class TenantAPIRequest(Request):
    """What a handler behind ``TenantAPIMixin`` receives (for type checkers; dispatch sets these)."""

    auth: ApiKey
    actor: Actor


PROTECTED = (
    "dispatch",
    "initial",
    "initialize_request",
    "perform_authentication",
    "check_permissions",
    "check_object_permissions",
    "check_throttles",
    "get_object",
    "get_permissions",
    "get_authenticators",
    "get_throttles",
    "get_queryset",
    "principal_scope",
    "as_view",
    "permission_classes",
    "authentication_classes",
    "throttle_classes",
)


# The base classes live here and in the partner API's module; no other module may define the plumbing.
BASE_MODULES = frozenset({__name__, "sourcing.api.partner"})


def _is_trusted(klass: type) -> bool:
    return klass.__module__ in BASE_MODULES or klass.__module__.split(".")[0] in {"rest_framework", "django"}


def _refuse_plumbing(owner: str, kwargs: dict[str, Any]) -> None:
    given = sorted(set(kwargs) & set(PROTECTED))
    if given:
        raise TypeError(f"{owner} must not set {', '.join(given)}; tenant scoping lives in {__name__}.")


class ScopedAPIMixin:
    """What the ERP API and the partner API share: who the principal is is decided by the base class
    (``principal_scope``); the handler then runs in that principal's tenant scope, behind the idempotency guard."""

    required_scopes: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ in BASE_MODULES:
            return
        for name in PROTECTED:
            # Wherever it comes from in the MRO (a mixin included), it must be ours or DRF's own.
            definer = next((k for k in cls.__mro__ if name in k.__dict__), None)
            if definer is not None and not _is_trusted(definer):
                raise TypeError(f"{cls.__name__} must not override {name}; tenant scoping lives in {__name__}.")
        # Nor may an action hand the view other plumbing (``@action(permission_classes=…)``).
        for extra in getattr(cls, "get_extra_actions", list)():
            _refuse_plumbing(cls.__name__, extra.kwargs)

    @classmethod
    def as_view(cls, *args: Any, **initkwargs: Any) -> Any:
        """As DRF's, refusing plumbing passed as keyword arguments (``as_view(permission_classes=…)``)."""
        _refuse_plumbing(cls.__name__, initkwargs)
        return super().as_view(*args, **initkwargs)  # type: ignore[misc]

    def principal_scope(self, request: Request) -> tuple[Tenant, Actor, str]:
        """The authenticated principal's tenant, its actor, and the namespace of its Idempotency-Keys."""
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        view: Any = self
        view.args, view.kwargs = args, kwargs
        drf_request = view.initialize_request(request, *args, **kwargs)
        view.request = drf_request
        view.headers = view.default_response_headers
        try:
            view.initial(drf_request, *args, **kwargs)
            check_query(drf_request)
            check_body(drf_request)
            tenant, drf_request.actor, keys = view.principal_scope(drf_request)
            # The handler runs inside the principal's tenant scope, which the idempotency guard opens and commits.
            response = run_idempotent(
                request=drf_request,
                tenant=tenant,
                call=lambda: self._call_handler(drf_request, *args, **kwargs),
                namespace=keys,
            )
        except Exception as exc:
            response = view.handle_exception(exc)
        view.response = view.finalize_response(drf_request, response, *args, **kwargs)
        return view.response

    def _call_handler(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        method = (request.method or "").lower()
        handler = (
            getattr(view, method, view.http_method_not_allowed)
            if method in view.http_method_names
            else (view.http_method_not_allowed)
        )
        return handler(request, *args, **kwargs)


class TenantAPIMixin(ScopedAPIMixin):
    """The ERP API: an API key (``Authorization: Api-Key``) and its key scopes."""

    def principal_scope(self, request: Request) -> tuple[Tenant, Actor, str]:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):  # HasScope lets nothing else through
            raise exceptions.NotAuthenticated()
        # The ERP's Idempotency-Keys are the tenant's, kept apart from every agent's (``partner:…``).
        return api_key.tenant, Actor.for_api_key(api_key, ip_address=client_ip(request)), "erp"


class TenantAPIView(TenantAPIMixin, APIView):
    pass


def reads_ids(cls: type) -> bool:
    """Whether a viewset has routes with an id in the URL (a detail read, a change, a delete, a detail action)."""
    detail_methods = ("retrieve", "update", "partial_update", "destroy")
    if any(callable(getattr(cls, name, None)) for name in detail_methods):
        return True
    return any(extra.detail for extra in getattr(cls, "get_extra_actions", list)())


class ScopedRowsMixin:
    """Subclasses set ``model`` and implement ``scoped_queryset()`` (called inside the tenant scope), and a
    viewset with ids in its URLs names the entity's access function: ``access = access_<entity>``."""

    model: Any = None
    # ``access_<entity>(by=, id=, need=)``: the one way from the URL's id to the record (docs/architecture.md).
    access: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ in BASE_MODULES:
            return
        if cls.scoped_queryset is ScopedRowsMixin.scoped_queryset:
            raise TypeError(f"{cls.__name__} must define scoped_queryset(): the rows it serves, in the tenant scope.")
        if reads_ids(cls) and cls.access is None:
            raise TypeError(f"{cls.__name__} reads ids from its URLs: it must name the entity's access function.")

    def get_object(self) -> Any:
        """The record the URL names, reached through the entity's access function with the scope this method
        needs (so a missing, another tenant's and an unassigned id are the same 404), then read as the
        endpoint's rows are, for what its serializer shows."""
        view: Any = self
        access = type(self).access
        if access is None:  # fail closed; __init_subclass__ refuses such a class already
            raise NotFoundError()
        method = view.request.method or ""
        need = view.required_scopes.get("GET" if method == "HEAD" else method)
        record = access(by=view.request.actor, id=view.kwargs[view.lookup_url_kwarg or view.lookup_field], need=need)
        found = self.get_queryset().filter(pk=record.pk).first()
        if found is None:
            raise NotFoundError()
        view.check_object_permissions(view.request, found)
        return found

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation runs outside any tenant; it needs the model, never rows.
            return self.model.objects.unscoped().none()
        return self.scoped_queryset()

    def scoped_queryset(self) -> Any:
        """The endpoint's rows; every subclass defines it (checked when the subclass is created)."""
        return self.model.objects.none()


class TenantViewSet(ScopedRowsMixin, TenantAPIMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Subclasses set ``model`` and implement ``scoped_queryset()`` (called inside the tenant scope)."""
