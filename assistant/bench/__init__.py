"""Benchmark tooling: corpora ×1/×10/×100, ingest and latency measurement, reports."""
