"""The pure core: readings, schedules, the judgement engine, verdicts. Standard library only."""
