"""KPIs, scorecards, review cadence and executive packs."""
