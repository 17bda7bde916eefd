"""Controls: the tasks assessments ask for, the results officers record, and what those
results teach the profiles (RM-11, RM-12, RM-22, RM-26)."""
