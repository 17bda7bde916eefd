"""Consignments (DM-4, RM-1): every filing and message about one consignment, linked."""
