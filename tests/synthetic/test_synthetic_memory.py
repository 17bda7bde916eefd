"""Generating is streaming: memory does not grow with the number of declarations."""

from __future__ import annotations

import tracemalloc

from tollgate.synthetic.generator import build_world, iter_filings


def _peak(declarations: int) -> int:
    tracemalloc.start()
    try:
        count = 0
        for _ in iter_filings(declarations=declarations, seed=3):
            count += 1
        assert count > declarations
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_is_the_same_for_ten_times_more_declarations() -> None:
    build_world(3)  # the world (operators, lanes) is built once per process, before
    small = _peak(5_000)
    large = _peak(50_000)
    print(f"peak traced memory: {small / 1e6:.1f} MB for 5k, {large / 1e6:.1f} MB for 50k")
    assert large < 1.5 * small, (small, large)
    assert large < 64 * 1024 * 1024
