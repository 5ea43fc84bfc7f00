"""Reads of supplier data that pages, the API and exports share, one module per subdomain."""
