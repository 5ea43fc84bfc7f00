"""Supplier pages, one module per subdomain; the partner pages live in the modules named portal*."""
