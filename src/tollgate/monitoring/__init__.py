"""The monitoring framework's indicators (RM-28), per authority and period."""
