"""Generated text identical to Transformers.js's for tiny/gpt2, tiny/t5 and tiny/vit-gpt2-alt-text
at every dtype (greedy, ``max_new_tokens: 8``, as recorded in the expected files)."""

from __future__ import annotations

import pytest

from inference_gui.engine.engine import Engine
from tests.parity.support import Case, assert_matches, cases, engine_for

GENERATIVE = {"text-generation", "text2text-generation", "image-to-text"}
CASES = list(cases(GENERATIVE))


def test_every_generative_fixture_is_covered() -> None:
    models = {case.model for case in CASES}
    assert models == {"tiny/gpt2", "tiny/t5", "tiny/vit-gpt2-alt-text"}
    assert len(CASES) == 3 * 8


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_generated_text_matches_transformers_js(case: Case) -> None:
    engine: Engine = engine_for(case)
    for input_id, expected in case.outputs.items():
        result = engine.run(case.run_input(input_id), case.call_options)
        # generated_text is compared exactly; these outputs hold no other numbers or texts
        assert_matches(result.output, expected, tol=0.0, where=f"{case.id}/{input_id}")
        assert result.timings_ms["time_to_first_token"] > 0
    engine.unload()
