"""``text-to-audio``: speech from text with a VITS model (MMS-TTS), as Transformers.js runs it.

Transformers.js's TextToAudioPipeline takes the text-to-waveform path for a model without a
processor: the texts are tokenized padded to the longest (VitsTokenizer: characters outside the
vocabulary dropped, a blank between characters), one pass gives ``waveform`` ``[batch, samples]``,
and each text's :class:`RawAudio` is its whole row at ``config.sampling_rate`` — for a batch,
shorter texts keep the padded tail, as in 4.3.1 (3.8.1 returned the batch as one clip).

VITS draws noise in the graph (``RandomNormalLike``, scaled by ``noise_scale`` and
``noise_scale_duration`` of ``config.json``); neither Transformers.js nor onnxruntime seeds it, so
a model with non-zero noise scales gives another waveform — even another length — on every run,
here as in the browser. SpeechT5 (spectrogram + vocoder) is refused: its pipeline path needs
speaker embeddings and a vocoder repo that Transformers.js fetches from the hub by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.raw_audio import RawAudio
from inference_gui.engine.tasks.base import RunContext, Task
from inference_gui.errors import EngineError


class TextToAudio(Task):
    name = "text-to-audio"
    required_outputs = ("waveform",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        config = self.resources.config
        if config.get("model_type") != "vits":
            raise EngineError(
                f"text-to-audio runs VITS models (MMS-TTS) in this app; this one is "
                f"{config.get('model_type')!r}.",
                "Pick a VITS model, e.g. one of the Xenova/mms-tts-* conversions.",
            )
        self.sampling_rate()
        encoded = self.encode(ctx, list(inputs.texts))
        for text, mask in zip(inputs.texts, encoded.attention_mask, strict=True):
            if not mask.any():
                raise EngineError(
                    f"The text {text[:60]!r} has no character this voice can say (characters "
                    "outside its vocabulary are dropped, as Transformers.js drops them).",
                    "Type words in the model's language and alphabet.",
                )
        return encoded

    def sampling_rate(self) -> int:
        rate = self.resources.config.get("sampling_rate")
        if not isinstance(rate, int) or isinstance(rate, bool) or rate <= 0:
            raise EngineError(
                f"config.json has no valid sampling_rate ({rate!r}).",
                "A VITS model's config names the rate of its audio; re-export the model.",
            )
        return rate

    def run(self, prepared: Encoded, ctx: RunContext) -> np.ndarray:
        return ctx.run(self.model_bases[0], prepared.feeds(), ["waveform"])["waveform"]

    def postprocess(
        self, outputs: np.ndarray, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        rate = self.sampling_rate()
        clips = [RawAudio(np.ascontiguousarray(row, dtype=np.float32), rate) for row in outputs]
        return clips if inputs.batched else clips[0]


TASK = TextToAudio
