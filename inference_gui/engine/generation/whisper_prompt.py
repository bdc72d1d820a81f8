"""Whisper's decoder prompt: ``<|startoftranscript|> <|lang|> <|task|> <|notimestamps|>``.

As Transformers.js's ``WhisperForConditionalGeneration._retrieve_init_tokens``: a multilingual
model (``is_multilingual`` in ``generation_config.json``) gets a language token (English when none
is given, which Transformers.js only logs; here it is a note) and a task token (``transcribe`` by
default); an English-only model refuses both options; ``<|notimestamps|>`` ends the prompt unless
timestamps are asked for. ``language`` is a name ("french"), a code ("fr") or the token itself
("<|fr|>"), as in Whisper. Where Transformers.js would silently drop a language or task the model
has no token for, this is an error naming the ones it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inference_gui.errors import EngineError, bounded

# Whisper's language names -> codes (the table of OpenAI's whisper/tokenizer.py), with its aliases.
LANGUAGE_CODES: dict[str, str] = {
    "english": "en", "chinese": "zh", "german": "de", "spanish": "es", "russian": "ru",
    "korean": "ko", "french": "fr", "japanese": "ja", "portuguese": "pt", "turkish": "tr",
    "polish": "pl", "catalan": "ca", "dutch": "nl", "arabic": "ar", "swedish": "sv",
    "italian": "it", "indonesian": "id", "hindi": "hi", "finnish": "fi", "vietnamese": "vi",
    "hebrew": "he", "ukrainian": "uk", "greek": "el", "malay": "ms", "czech": "cs",
    "romanian": "ro", "danish": "da", "hungarian": "hu", "tamil": "ta", "norwegian": "no",
    "thai": "th", "urdu": "ur", "croatian": "hr", "bulgarian": "bg", "lithuanian": "lt",
    "latin": "la", "maori": "mi", "malayalam": "ml", "welsh": "cy", "slovak": "sk",
    "telugu": "te", "persian": "fa", "latvian": "lv", "bengali": "bn", "serbian": "sr",
    "azerbaijani": "az", "slovenian": "sl", "kannada": "kn", "estonian": "et", "macedonian": "mk",
    "breton": "br", "basque": "eu", "icelandic": "is", "armenian": "hy", "nepali": "ne",
    "mongolian": "mn", "bosnian": "bs", "kazakh": "kk", "albanian": "sq", "swahili": "sw",
    "galician": "gl", "marathi": "mr", "punjabi": "pa", "sinhala": "si", "khmer": "km",
    "shona": "sn", "yoruba": "yo", "somali": "so", "afrikaans": "af", "occitan": "oc",
    "georgian": "ka", "belarusian": "be", "tajik": "tg", "sindhi": "sd", "gujarati": "gu",
    "amharic": "am", "yiddish": "yi", "lao": "lo", "uzbek": "uz", "faroese": "fo",
    "haitian creole": "ht", "pashto": "ps", "turkmen": "tk", "nynorsk": "nn", "maltese": "mt",
    "sanskrit": "sa", "luxembourgish": "lb", "myanmar": "my", "tibetan": "bo", "tagalog": "tl",
    "malagasy": "mg", "assamese": "as", "tatar": "tt", "hawaiian": "haw", "lingala": "ln",
    "hausa": "ha", "bashkir": "ba", "javanese": "jw", "sundanese": "su",
    "burmese": "my", "valencian": "ca", "flemish": "nl", "haitian": "ht", "letzeburgesch": "lb",
    "pushto": "ps", "panjabi": "pa", "moldavian": "ro", "moldovan": "ro", "sinhalese": "si",
    "castilian": "es",
}  # fmt: skip
CODES = frozenset(LANGUAGE_CODES.values())


@dataclass(frozen=True)
class WhisperPrompt:
    """The prompt token ids and what was assumed on the way (notes for the run's warnings)."""

    tokens: tuple[int, ...]
    notes: tuple[str, ...] = ()


def language_code(language: str) -> str:
    """``french`` / ``fr`` / ``<|fr|>`` -> ``fr``; anything else is an error listing examples."""
    value = language.strip().lower()
    if value in LANGUAGE_CODES:
        return LANGUAGE_CODES[value]
    if value.startswith("<|") and value.endswith("|>"):
        value = value[2:-2]
    if value in CODES:
        return value
    raise EngineError(
        f"The language {bounded(language)} is not one Whisper knows.",
        "Give a language name or code, e.g. english, french, de, es.",
    )


def whisper_prompt(
    generation: Mapping[str, Any], language: Any, task: Any, timestamps: bool = False
) -> WhisperPrompt:
    """The decoder's start tokens for ``language`` and ``task`` (each None when not given)."""
    for name, value in (("language", language), ("task", task)):
        if value is not None and not isinstance(value, str):
            raise EngineError(
                f"The option {name}={bounded(value)} is not valid.", f"Give {name} as a string."
            )
    start = generation.get("decoder_start_token_id")
    if not isinstance(start, int):
        raise EngineError(
            "generation_config.json has no decoder_start_token_id (<|startoftranscript|>).",
            "This does not look like a Whisper model; pick another.",
        )
    tokens, notes = [start], []
    if generation.get("is_multilingual"):
        if language is None:
            language = "en"
            notes.append(
                "No language given: transcribing as English (en), as Transformers.js does."
            )
        code = language_code(language)
        tokens.append(_token(generation, "lang_to_id", f"<|{code}|>", "language", language))
        chosen = task if task is not None else "transcribe"
        tokens.append(_token(generation, "task_to_id", chosen, "task", chosen))
    elif language is not None or task is not None:
        raise EngineError(
            "This Whisper model is English-only: it takes no language or task option.",
            "Leave language and task unset, or use a multilingual Whisper model.",
        )
    no_timestamps = generation.get("no_timestamps_token_id")
    if not timestamps and isinstance(no_timestamps, int):
        tokens.append(no_timestamps)
    return WhisperPrompt(tuple(tokens), tuple(notes))


def _token(generation: Mapping[str, Any], table: str, key: str, name: str, given: str) -> int:
    ids = generation.get(table) or {}
    value = ids.get(key)
    if not isinstance(value, int):
        known = ", ".join(str(k).strip("<|>") for k in ids) or "none"
        raise EngineError(
            f"This Whisper model has no {name} {bounded(given)} ({table} has {known}).",
            f"Choose one of: {known}.",
        )
    return value
