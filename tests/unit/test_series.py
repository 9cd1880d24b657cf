"""Downsampling a run's readings for charts: min and max per bucket (services.runs)."""

from __future__ import annotations

import pytest

from phytowatch.domain.series import Row, downsample


def test_a_single_dip_survives_downsampling_as_its_buckets_minimum() -> None:
    rows: list[Row] = [("C1", t, 60.0, None, 0) for t in range(1000)]
    rows[537] = ("C1", 537, 41.5, None, 0)
    points = downsample(rows, 0, 999, 10)["C1"]
    assert len(points) == 10
    assert min(low for _, low, _ in points) == 41.5
    assert points[5] == (500, 41.5, 60.0)


def test_faults_are_left_out_and_empty_buckets_give_no_point() -> None:
    rows = [("C1", 0, 1.0, None, 0), ("C1", 5, None, "ERR", 0), ("C2", 9, 3.0, None, 0)]
    assert downsample(rows, 0, 9, 5) == {"C1": [(0, 1.0, 1.0)], "C2": [(8, 3.0, 3.0)]}


def test_every_instant_of_the_span_falls_in_a_bucket() -> None:
    rows: list[Row] = [("C1", t, float(t), None, 0) for t in (0, 3, 6, 7)]
    points = downsample(rows, 0, 7, 3)["C1"]  # width 3: [0,2] [3,5] [6,8]
    assert points == [(0, 0.0, 0.0), (3, 3.0, 3.0), (6, 6.0, 7.0)]


def test_downsampling_needs_a_bucket_and_a_span() -> None:
    with pytest.raises(ValueError):
        downsample([], 5, 5, 10)
