"""``python -m tollgate`` runs the command line."""

from tollgate.cli.main import app

app()
