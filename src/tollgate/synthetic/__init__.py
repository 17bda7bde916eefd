"""Seeded generator of realistic synthetic trade filings with planted, labelled irregularities."""
