"""The ``tollgate`` command line."""
