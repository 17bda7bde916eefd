"""Declarations (DM-1..DM-8): what arrives, validated into a typed model and stored in versions."""
