"""Sourcewise project package and core: tenancy, users and roles, audit, API plumbing, jobs."""

from sourcing.celery import app as celery_app

__all__ = ["celery_app"]
