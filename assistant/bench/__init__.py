"""Benchmark tooling: corpora ×1/×10/×100, ingest and latency measurement, a store simulation
at scale, reports."""
