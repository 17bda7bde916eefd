"""The HTTP API: one ``create_app`` for the server, the CLI and the tests."""
