"""Seed data for seed_demo: the supplier base (base.py) with its evidence, audits and onboarding."""
