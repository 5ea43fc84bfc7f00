"""Pages that gather from every app: role dashboards, the partner portal's home, and the agents' assignments.

This package sits above all the apps (core → categories → suppliers → spend → rfq → contracts → quality → kpis)
and is the one place besides the project's URLs and seed command that may import any of them.
"""
