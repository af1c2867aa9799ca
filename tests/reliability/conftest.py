"""The reliability tests also drive the live app of tests/browser (re-exported here)."""

from __future__ import annotations

from browser.conftest import live_app

__all__ = ["live_app"]
