"""Start a headless Firefox with Marionette on a profile, and stop it again.

Used to let Firefox's own ML code fill or clean a profile's model cache (tests, cleaning) — the only
way anything here changes a Firefox profile. The recipe (flags, env, prefs) is the one issue 19
found to work with Firefox ESR.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from inference_gui.firefox.marionette import FirefoxError, Marionette

FIREFOX_NAMES = ("firefox-esr", "firefox")

# Quiet, fast start: no first-run pages, updates, telemetry or default-browser prompt.
BASE_PREFS: dict[str, object] = {
    "marionette.port": 0,  # any free port, written to <profile>/MarionetteActivePort
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.ml.enable": True,
    "browser.ml.checkForMemory": False,
}


def find_firefox(explicit: str | None = None) -> Path:
    """The Firefox binary to run: ``explicit`` if given, else firefox-esr or firefox on PATH."""
    candidates = [explicit] if explicit else [shutil.which(name) for name in FIREFOX_NAMES]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FirefoxError(
        f"No Firefox found ({explicit or ' or '.join(FIREFOX_NAMES)}).",
        "Install Firefox ESR (apt-get install firefox-esr) or pass --firefox PATH.",
    )


def write_prefs(profile: Path, prefs: Mapping[str, object]) -> None:
    """Write ``user.js``: in a profile this app owns, or (cleaning) one it puts back after."""
    lines = [
        f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in {**BASE_PREFS, **prefs}.items()
    ]
    (profile / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wait_for_port(profile: Path, process: subprocess.Popen[bytes], timeout: float) -> int:
    port_file = profile / "MarionetteActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise FirefoxError(
                f"Firefox exited (code {process.returncode}) before Marionette started.",
                "Run it by hand with --headless to see why.",
            )
        text = port_file.read_text().strip() if port_file.exists() else ""
        if text.isdigit():
            return int(text)
        time.sleep(0.1)
    raise FirefoxError(f"Firefox did not open Marionette within {timeout:.0f} s.")


@contextmanager
def running_firefox(
    profile: Path,
    prefs: Mapping[str, object],
    *,
    firefox: str | None = None,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 60.0,
) -> Iterator[Marionette]:
    """A headless Firefox on ``profile`` with a chrome-context Marionette session; quits on exit."""
    binary = find_firefox(firefox)
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "MarionetteActivePort").unlink(missing_ok=True)
    write_prefs(profile, prefs)
    process_env = {**os.environ, "MOZ_REMOTE_SETTINGS_DEVTOOLS": "1", **(env or {})}
    args = [str(binary), "--headless", "--marionette", "-remote-allow-system-access"]
    args += ["--profile", str(profile), "-no-remote"]
    process = subprocess.Popen(
        args, env=process_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        port = _wait_for_port(profile, process, start_timeout)
        with Marionette(port) as session:
            session.start_chrome_session()
            yield session
            session.quit()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
