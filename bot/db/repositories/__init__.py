"""Repositories: typed methods over the tables. The only modules that contain SQL."""
