"""Learned risk scoring (issue 6): features, the learner, versions, real-time and batch
scoring, exploration and drift. See ``docs/scoring.md``."""

import os

# LightGBM trains on OpenMP threads. libgomp's default wait policy spins at every barrier,
# and on a busy machine (more runnable threads than cores: the API, a test run, another
# job) two spinning threads wait for each other's time slices thousands of times per tree:
# training ran six times slower in our measurements (docs/benchmarks.md). Passive waiting
# costs nothing measurable on an idle machine. libgomp reads the variable once, when
# LightGBM's library loads, so it is set here, before any scoring module imports it; an
# operator's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
