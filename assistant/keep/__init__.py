"""Answers kept: evidence files checked later, watched questions re-run, feedback as tests."""
