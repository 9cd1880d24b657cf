"""The treatment judgement engine (treatments.md §3): a run's readings in, its verdict out."""
