"""Where the test fixtures live (copied from the shared fixtures so a fresh clone tests alone)."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
HUB = FIXTURES / "hub"
EXPECTED = FIXTURES / "expected"
INPUTS = FIXTURES / "inputs"
REMOTE_SETTINGS = FIXTURES / "remote-settings"
