"""The language of recorded free text. Records hold their texts as the sources give them: in Chinese, in
English, or both one after the other ("中文原文。The English version."). A page shows each text in the
reader's language where the record has it, and otherwise shows it as it is, marked with its language
(the lang attribute for browsers and screen readers, a visible note for readers)."""

import dataclasses
import re

from django.utils.translation import get_language

CHINESE = "zh-hans"
ENGLISH = "en"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Sentence ends: Chinese full stops (nothing need follow), or Latin ones followed by a space.
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?;])\s+")
# A word of English says about as much as two or three Chinese characters (names run long in Chinese).
_HAN_PER_WORD = 3


@dataclasses.dataclass(frozen=True)
class Segment:
    text: str
    language: str  # CHINESE, ENGLISH, or "" for text with no words (figures, codes, addresses)


def language_of(text: str) -> str:
    """CHINESE or ENGLISH by which writing carries more of `text`; "" for text with no words."""
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if not han and not words:
        return ""
    return CHINESE if han >= words * _HAN_PER_WORD else ENGLISH


def segments(text: str) -> list[Segment]:
    """`text` split into runs of one language, sentence by sentence, in their order."""
    runs: list[Segment] = []
    for sentence in _SENTENCE_END.split(text or ""):
        if not sentence.strip():
            continue
        language = language_of(sentence)
        if (runs and runs[-1].language in (language, "")) or (runs and not language):
            previous = runs.pop()
            joiner = "" if previous.text.endswith(("。", "！", "？")) else " "
            language = language or previous.language
            runs.append(Segment(previous.text + joiner + sentence, language))
        else:
            runs.append(Segment(sentence, language))
    return runs


def page_language() -> str:
    return CHINESE if (get_language() or "").startswith("zh") else ENGLISH


@dataclasses.dataclass(frozen=True)
class Shown:
    """What a page shows of a recorded text: its runs, and the language of the text where the reader's
    language is missing from it (else "")."""

    segments: list[Segment]
    other_language: str


def for_reader(text: str, reader: str | None = None) -> Shown:
    """The runs of `text` a reader of `reader` (the page's language by default) needs: those in their
    language where the text has one, else every run, marked as being in the other language."""
    reader = reader or page_language()
    runs = segments(text)
    if any(run.language == reader for run in runs):
        return Shown([run for run in runs if run.language in (reader, "")], "")
    other = next((run.language for run in runs if run.language), "")
    return Shown(runs, other)


def in_reader_language(text: str) -> str:
    """The plain text `for_reader` shows (for a link's text, or a sentence that quotes the record)."""
    return " ".join(run.text for run in for_reader(text).segments)
