"""Treatment runs: started by an operator, judged live, closed by their verdict or by hand.

One module per concept: ``ports`` (the run's record and its store), ``start`` (binding the
schedule and the calibrations), ``monitor`` (open runs judged live, closed), ``export`` (the run
as a treatment log), ``review`` (a run's review state with who decided, by name), ``record`` (the
printed treatment record's heading and number). The names a caller needs are the package's.
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
from phytowatch.services.runs.record import RecordHeading, record_heading, record_number
from phytowatch.services.runs.review import RunReview, run_review, run_reviews
from phytowatch.services.runs.start import resolve_schedule, start_run

__all__ = [
    "RECEIVED_LAG_US",
    "TREND_POINTS",
    "LiveRun",
    "RecordHeading",
    "RunEvent",
    "RunMonitor",
    "RunRecord",
    "RunReview",
    "RunStore",
    "StoredReading",
    "evaluate_command",
    "record_heading",
    "record_number",
    "resolve_schedule",
    "run_log_rows",
    "run_review",
    "run_reviews",
    "start_run",
]
