"""Writes of supplier data, one module per subdomain; every write is a service (see STYLE.md)."""
