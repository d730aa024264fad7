"""Research code: trainers, dataset builders, per-detector evaluations. Not shipped; see research/README.md."""
