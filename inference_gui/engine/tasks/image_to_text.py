"""``image-to-text``: a vision encoder (``encoder_model*``) then the merged text decoder.

As Transformers.js's ImageToTextPipeline, each image is generated on its own (batch of one), and
the text is trimmed; one image gives ``[{"generated_text"}]``, several give a list of those.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig
from inference_gui.engine.generation.loop import GenerationOutput
from inference_gui.engine.generation.pipeline import GenerativeTask
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.image import load_image
from inference_gui.engine.tasks.base import RunContext
from inference_gui.engine.tasks.text2text_generation import decoder_start


@dataclass
class Images:
    pixel_values: np.ndarray  # (images, channels, height, width)
    config: GenerationConfig


class ImageToText(GenerativeTask):
    name = "image-to-text"
    needs_processor = True
    model_bases = ("encoder_model", "decoder_model_merged")

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Images:
        config = self.generation_config(options, ctx)
        return Images(self.processor([load_image(path) for path in inputs.images]), config)

    def run(self, prepared: Images, ctx: RunContext) -> list[GenerationOutput]:
        outputs = []
        copies = prepared.config.num_return_sequences
        for index, pixels in enumerate(prepared.pixel_values):
            started = time.perf_counter()
            hidden = ctx.run("encoder_model", {"pixel_values": pixels[None]})["last_hidden_state"]
            outputs.append(
                self.generate(
                    ctx,
                    decoder_start(prepared.config, 1),
                    prepared.config,
                    first_index=index * copies,
                    started=started,
                    encoder_hidden_states=hidden,
                )
            )
        return outputs

    def postprocess(
        self,
        outputs: list[GenerationOutput],
        prepared: Images,
        inputs: RunInput,
        options: Mapping[str, Any],
    ) -> Any:
        results = [
            [{"generated_text": self.decode(sequence).strip()} for sequence in out.sequences]
            for out in outputs
        ]
        return results if inputs.batched else results[0]


TASK = ImageToText
