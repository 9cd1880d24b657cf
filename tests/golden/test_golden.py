"""Golden cases: hand-derived expectations (treatments.md) for small treatment logs.

Each case is ``cases/<name>.csv`` (written by ``make_cases.py``) plus ``cases/<name>.json`` whose
``expected`` block was derived by hand from the spec, never copied from the engine. For
interruptions and findings only the keys present in each expected entry are compared.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from phytowatch.formats.csvlog import read_log
from phytowatch.schedules import load_one
from phytowatch.services.evaluation import judge_rows
from phytowatch.services.reporting import judgement_dict

pytestmark = pytest.mark.golden

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.json"))
SCALARS = ("verdict", "step", "hold_start", "hold_end", "longest_hold_s", "review_required")
EXIT_CODES = {"PASS": 0, "FAIL": 1, "INDETERMINATE": 3}
# Representative cases run through the real CLI (PASS, FAIL, INDETERMINATE, --param, --offset).
CLI_CASES = [
    "ht_simple_pass",
    "ht_hold_29min_log_ends_fail",
    "ht_two_probes_installed_indeterminate",
    "hwt_band_at_budget_passes",
    "ht_offset_lifts_to_56",
]


def load_case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return case


def run_in_process(name: str, case: dict[str, Any]) -> dict[str, Any]:
    log = read_log(CASES / f"{name}.csv")
    schedule = load_one(case["schedule"]).resolve(case.get("params") or {})
    offsets = {probe: Decimal(str(d)) for probe, d in (case.get("offsets") or {}).items()}
    judgement = judge_rows(
        schedule,
        log.probes,
        log.rows,
        offsets=offsets,
        faults=log.faults,
        backwards=log.backwards,
    )
    return judgement_dict(judgement, schedule)


INTERRUPTION_KEYS = ("at", "step", "reason", "probes")
FINDING_KEYS = ("kind", "probe", "from", "to")


def _view(entry: dict[str, Any], keys: Any) -> dict[str, Any]:
    """``entry`` reduced to ``keys``, with ``probes`` sorted (order is not part of the contract)."""
    out = {key: entry.get(key) for key in keys}
    probes = out.get("probes")
    if isinstance(probes, list):
        out["probes"] = sorted(probes)
    return out


def project(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], default_keys: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Both lists reduced, entry by entry, to the keys of the expected entry at that position.

    Actual entries beyond the expected ones keep ``default_keys``, so extras show in the diff.
    """
    want = [_view(e, e.keys()) for e in expected]
    got = [
        _view(a, expected[i].keys() if i < len(expected) else default_keys)
        for i, a in enumerate(actual)
    ]
    return want, got


def test_every_case_has_a_log() -> None:
    assert CASE_NAMES, "no golden cases found"
    missing = [name for name in CASE_NAMES if not (CASES / f"{name}.csv").is_file()]
    assert not missing
    orphans = sorted(p.stem for p in CASES.glob("*.csv") if p.stem not in CASE_NAMES)
    assert not orphans


@pytest.mark.parametrize("name", CASE_NAMES, ids=CASE_NAMES)
def test_golden_case(name: str) -> None:
    case = load_case(name)
    expected = case["expected"]
    actual = run_in_process(name, case)

    for key in SCALARS:
        assert actual[key] == expected[key], f"{name}: {key}"

    want, got = project(expected["interruptions"], actual["interruptions"], INTERRUPTION_KEYS)
    assert got == want, f"{name}: interruptions"

    want, got = project(expected["findings"], actual["findings"], FINDING_KEYS)
    assert got == want, f"{name}: findings"


def _cli() -> Path:
    return Path(sys.executable).parent / "phytowatch"


@functools.cache  # one probe per process, not one per case
def _cli_available() -> bool:
    script = _cli()
    if not script.exists():
        return False
    # The console script is installed with the package; it only works once phytowatch.cli exists.
    probe = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return "ModuleNotFoundError" not in probe.stderr


@pytest.mark.e2e
@pytest.mark.parametrize("name", CLI_CASES, ids=CLI_CASES)
def test_cli_matches_in_process(name: str) -> None:
    if not _cli_available():
        pytest.skip(f"CLI not available: {_cli()} missing or phytowatch.cli not written yet")
    case = load_case(name)
    args = [str(_cli()), "evaluate", str(CASES / f"{name}.csv"), "--schedule", case["schedule"]]
    for key, value in (case.get("params") or {}).items():
        args += ["--param", f"{key}={value}"]
    for probe, delta in (case.get("offsets") or {}).items():
        args += ["--offset", f"{probe}={delta}"]
    args.append("--json")
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == EXIT_CODES[case["expected"]["verdict"]], done.stderr
    from_cli = json.loads(done.stdout)
    in_process = run_in_process(name, case)
    # The CLI may add keys of its own; every key of the in-process result must be equal.
    assert {key: from_cli.get(key) for key in in_process} == in_process
