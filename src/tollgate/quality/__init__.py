"""Data quality (DQ-1..DQ-7, RM-3): findings per filing, scores, filer scorecards."""
