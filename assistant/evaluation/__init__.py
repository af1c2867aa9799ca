"""Evaluation tooling: the gold FAQ, its metrics, the harness and the naive baseline."""
