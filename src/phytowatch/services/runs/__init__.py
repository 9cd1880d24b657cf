"""Treatment runs: started by an operator, judged live, closed by their verdict or by hand.

One module per concept: ``ports`` (the run's record and its store), ``start`` (binding the
schedule and the calibrations), ``monitor`` (open runs judged live, closed), ``export`` (the run
as a treatment log). The names a caller needs are the package's.
"""

from phytowatch.services.runs.export import evaluate_command, run_log_rows
from phytowatch.services.runs.monitor import (
    RECEIVED_LAG_US,
    TREND_POINTS,
    LiveRun,
    RunEvent,
    RunMonitor,
)
from phytowatch.services.runs.ports import RunRecord, RunStore, StoredReading
from phytowatch.services.runs.start import resolve_schedule, start_run

__all__ = [
    "RECEIVED_LAG_US",
    "TREND_POINTS",
    "LiveRun",
    "RunEvent",
    "RunMonitor",
    "RunRecord",
    "RunStore",
    "StoredReading",
    "evaluate_command",
    "resolve_schedule",
    "run_log_rows",
    "start_run",
]
