"""The trader register: AEO status and client segments an authority keeps (RM-23, RM-24)."""
