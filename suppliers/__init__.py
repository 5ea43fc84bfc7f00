"""Supplier discovery, qualification and onboarding."""
