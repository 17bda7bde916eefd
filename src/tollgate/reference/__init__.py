"""Reference data (DM-9): code lists every declaration is checked against."""
