"""What the chain's benchmarks share: a scratch database, a process's CPU time, a quantile, and
their section of docs/performance.md."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

POSTGRES = os.environ.get(
    "PHYTOWATCH_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


@contextlib.contextmanager
def scratch(kind: str, workdir: Path, name: str) -> Iterator[str]:
    """A database URL for one run: a file in ``workdir``, or a PostgreSQL database made for it
    and dropped after (``pw_bench_<name>_<random>``)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'{name}.db'}"
        return
    from sqlalchemy import create_engine, text

    database = f"pw_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        try:
            yield POSTGRES.rsplit("/", 1)[0] + "/" + database
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``; inf when empty."""
    if not values:
        return float("inf")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
    return ordered[rank - 1]


def write_doc(section: str, *, begin: str, end: str, heading: str, script: str) -> None:
    """Replace the text between ``begin`` and ``end`` in docs/performance.md with ``section``;
    without them, append a new section under ``heading``."""
    block = f"{begin}\n{section}\n{end}"
    text = DOC.read_text(encoding="utf-8")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        intro = f"{heading}\n\nRegenerate this section with `python {script} --write-doc`."
        text = text.rstrip("\n") + f"\n\n{intro}\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")
