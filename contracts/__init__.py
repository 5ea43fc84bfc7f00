"""Contracts: price schedules, terms, versions, amendments and renewals."""
