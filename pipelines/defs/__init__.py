"""The Dagster layer: thin assets, checks, jobs and resources over the plain stage functions."""
