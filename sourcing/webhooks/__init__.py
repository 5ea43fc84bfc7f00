"""Outbound webhooks: the tenant's endpoints, and the events every app emits to them, signed per the Standard
Webhooks specification (docs/webhooks.md)."""
