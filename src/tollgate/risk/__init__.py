"""Risk engine: profiles, assessment and control selection (RM-6..RM-13, RM-23, RM-24)."""
