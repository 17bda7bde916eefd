"""Intake: single, batch and bulk submission of filings, idempotent and resumable."""
