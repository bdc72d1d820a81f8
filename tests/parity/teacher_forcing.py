"""Teacher forcing: replay Transformers.js's generated text through our engine, step by step.

Dynamically quantized kernels (q8, int8, uint8) round differently across CPUs and onnxruntime
builds, so on a random-weight model a near-tied pair of logits can flip a greedy token, and the
reference text recorded on one machine is not what another machine's greedy search prints. What
does hold on every machine is this: if the engine feeds the reference's own tokens back in, then at
every step the token the reference chose has a logit within a small margin of our best one. A real
bug (wrong positions, a stale cache, a dropped logits processor) moves the reference token far down
the list, so the check stays strict.

The expected files hold texts, not token ids, so the reference token at each step is recovered from
the text: the candidates are the tokens whose decoded continuation is still a prefix of the
reference text (an incomplete UTF-8 byte sequence decodes to U+FFFD until its last byte arrives, so
trailing U+FFFD are accepted where the reference goes on with as many non-ASCII characters: a
multi-byte character or U+FFFD of its own; each pending U+FFFD stays one character), and of those
the one we score highest is taken. A step where a logits processor left one token possible (a
forced first or last token, often a special token that adds no text) takes that token, and so does
a step whose best token is a special one that adds no text before the reference is complete (the
text cannot say whether the reference has it there; if not, the replay comes out short and fails).
The picker stands in for the loop's greedy ``Sampler`` (engine/generation/sampling.py), so
everything else (preprocessing, encoder, KV cache, logits processors, decoding) is the engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest
from tokenizers import Tokenizer

from inference_gui.engine.engine import Engine
from inference_gui.engine.generation import loop
from tests.parity.support import Case
from tests.paths import HUB

Decode = Callable[[Sequence[int]], str]


@dataclass(frozen=True)
class Step:
    """One generation step: our best token, the reference's token, and their logit gap."""

    index: int
    ours: int
    reference: int
    gap: float  # our top logit minus the reference token's logit (0 when they agree)


@dataclass
class ReferencePicker:
    """Picks, at each step, the token that continues ``reference`` (one row at a time)."""

    reference: str
    decode: Decode
    steps: list[Step] = field(default_factory=list)
    generated: list[int] = field(default_factory=list)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        assert scores.shape[0] == 1, "teacher forcing replays one row at a time"
        row = scores[0]
        order = np.argsort(-row, kind="stable")
        forced = np.isfinite(row).sum() == 1  # forced_bos / forced_eos: nothing else is possible
        top = int(order[0])
        if not forced and self._adds_no_text(top):
            token: int | None = top  # an invisible special token: the text cannot say, follow ours
        else:
            token = next((int(t) for t in order if forced or self._continues(int(t))), None)
        assert token is not None, (
            f"step {len(self.steps)}: no token continues the reference {self.reference!r} after "
            f"{self.decode(self.generated)!r}"
        )
        self.steps.append(Step(len(self.steps), top, token, float(row[top] - row[token])))
        self.generated.append(token)
        return np.array([token], dtype=np.int64)

    def _adds_no_text(self, token: int) -> bool:
        """A special token mid-text (skipped when decoding): the reference text cannot tell
        whether Transformers.js generated it; one that ends the text is an end-of-sequence."""
        done = self.decode(self.generated)
        return done != self.reference and self.decode([*self.generated, token]) == done

    def _continues(self, token: int) -> bool:
        text = self.decode([*self.generated, token])
        done = self.decode(self.generated)
        if text == done:  # adds no text: an end-of-sequence or other special token
            return done == self.reference
        complete = text.rstrip("\ufffd")
        if not self.reference.startswith(complete):
            return False
        if complete == text:
            return True
        # Trailing U+FFFD: invalid bytes, or bytes still waiting for the rest of a character.
        # Either way each stays one character of the final text (a U+FFFD or a character of
        # several bytes), so the reference must have that many non-ASCII characters here; more
        # U+FFFD than that overshoots the reference.
        pending = len(text) - len(complete)
        following = self.reference[len(complete) : len(complete) + pending]
        return len(following) == pending and all(ord(c) > 0x7F for c in following)

    @property
    def divergences(self) -> list[Step]:
        """Steps where our greedy choice is not the reference's."""
        return [s for s in self.steps if s.ours != s.reference]


def reference_continuation(case: Case, input_id: str) -> str:
    """The part of the reference text the decoder generated: a chat's answer is the assistant
    message appended to the conversation; a text-generation prompt is repeated unless the call
    had ``return_full_text: false``."""
    if case.task == "automatic-speech-recognition":  # {"text"}: all generated after the prompt
        return case.outputs[input_id]["text"]
    (text,) = case.outputs[input_id][0].values()  # generated_, summary_ or translation_text
    if isinstance(text, list):
        reply = text[-1]
        assert reply["role"] == "assistant" and text[:-1] == case.inputs[input_id], (
            f"{case.id}/{input_id}: reference is not the conversation plus an answer"
        )
        return reply["content"]
    if case.task == "text-generation" and case.options_for(input_id).get("return_full_text", True):
        prompt = case.inputs[input_id]
        assert text.startswith(prompt), (
            f"{case.id}/{input_id}: reference does not repeat the prompt"
        )
        return text[len(prompt) :]
    return text


def assert_follows_reference(
    case: Case, engine: Engine, input_id: str, monkeypatch: pytest.MonkeyPatch, margin: float
) -> list[Step]:
    """Replay the reference for one input; fail unless every step where our greedy choice is not
    the reference's is a near-tie (gap <= ``margin``), the replay decodes to the reference text
    exactly, and a free run that differs from the reference saw such a near-tie.

    Returns the steps where our choice differed (empty when the free run agrees throughout)."""
    tokenizer = Tokenizer.from_file(str(HUB / case.model / case.revision / "tokenizer.json"))
    expected = case.outputs[input_id]
    where = f"{case.id}/{input_id}"
    free = engine.run(case.run_input(input_id), case.options_for(input_id)).output
    picker = ReferencePicker(
        reference_continuation(case, input_id),
        lambda ids: tokenizer.decode(list(ids), skip_special_tokens=True),
    )
    with monkeypatch.context() as patch:
        patch.setattr(loop, "Sampler", lambda config: picker)
        forced = engine.run(case.run_input(input_id), case.options_for(input_id)).output
    assert forced == expected, f"{where}: the replayed reference decodes to {forced!r}"
    wide = [s for s in picker.divergences if s.gap > margin]
    assert not wide, f"{where}: reference token more than {margin} below our top at {wide}"
    assert free == expected or picker.divergences, (
        f"{where}: our text {free!r} differs from the reference, yet every replayed step agreed"
    )
    return picker.divergences
