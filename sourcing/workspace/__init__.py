"""Pages that gather from every app: role dashboards, the partner portal's home, the agents' assignments, and
the categories' Kraljic matrix sized by their spend.

This package sits above all the apps (core → categories → suppliers → spend → rfq → contracts → quality → kpis)
and is the one place besides the project's URLs and seed command that may import any of them.
"""
