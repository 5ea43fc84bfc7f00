"""Supplier forms, one module per subdomain."""
