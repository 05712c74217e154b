"""The REST API v10 routes, one module per route family (see :mod:`emulator.rest.server`)."""
