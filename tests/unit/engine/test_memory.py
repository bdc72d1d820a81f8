"""The RSS a run reports is this process's, as psutil reads it, also in a forked child."""

from __future__ import annotations

import multiprocessing
import os

import psutil
import pytest

from inference_gui.engine import RunInput
from inference_gui.engine.memory import rss_bytes
from tests.unit.engine.conftest import fixture_engine

MIB = 1024 * 1024


def _child_reading(queue: multiprocessing.Queue) -> None:
    ballast = bytearray(96 * MIB)  # touched: bytearray zero-fills, so the pages are resident
    queue.put((rss_bytes(), psutil.Process().memory_info().rss, len(ballast)))


def test_rss_is_what_psutil_reads() -> None:
    assert abs(rss_bytes() - psutil.Process().memory_info().rss) < 8 * MIB


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_reads_its_own_memory_not_its_parents() -> None:
    rss_bytes()  # the parent has read once, so a cached reader exists before the fork
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_child_reading, args=(queue,))
    child.start()
    ours, psutils, _ = queue.get(timeout=60)
    child.join(60)
    assert abs(ours - psutils) < 8 * MIB


def test_a_run_reports_the_process_memory_when_asked() -> None:
    result = fixture_engine("feature-extraction", "bert-embed").run(RunInput.text("hi"))
    assert abs(result.rss_bytes - psutil.Process().memory_info().rss) < 8 * MIB
