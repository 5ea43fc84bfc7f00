"""Supplier endpoints, one module per subdomain; each module lists its ``routes``."""
