"""Text features for feedback-kind classification: normalisation, cue flags and sparse n-grams.

Pure functions of the text, with no fitted state except the vectorisers built by
``build_vectorisers``: the classifier fits those on its own training texts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from productpath.insights.kind_model import Tfidf

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from scipy.sparse import csr_matrix

# A 10,000-character ticket says what it is in its first screenfuls; the rest is logs and noise.
MAX_CHARS = 4000
MAX_TITLE_CHARS = 300

_FENCE = re.compile(r"```.*?(```|$)", re.DOTALL)
_URL = re.compile(r"https?://\S+|www\.\S+")
_TRACE_LINE = re.compile(
    r"^\s*(at \S+[(:]|File \"[^\"]+\", line \d+|Traceback \(most recent call last\)"
    r"|\S+(Error|Exception)(:|\b)|#\d+ 0x[0-9a-f]+)",
    re.MULTILINE,
)
_VERSION = re.compile(r"\bv?\d+(\.\d+){1,3}\S*")
_HEADING = re.compile(r"^\s*#{1,6}\s*", re.MULTILINE)
_CHECKBOX = re.compile(r"^\s*[-*]\s*\[[ xX]\]", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
_SPACE = re.compile(r"[ \t]+")


def split_title(text: str) -> tuple[str, str]:
    """(first non-empty line, the rest): a ticket's or issue's subject line carries most signal."""
    stripped = text.strip()
    head, _, rest = stripped.partition("\n")
    return head.strip()[:MAX_TITLE_CHARS], rest.strip()


def normalise(text: str) -> str:
    """Lower-cased text with code, traces, links and versions replaced by placeholder words.

    Placeholders let the linear model learn "has a stack trace" once instead of from thousands of
    one-off identifiers, and keep memory flat for very long inputs.
    """
    text = text[:MAX_CHARS]
    text = _HTML_COMMENT.sub(" ", text)
    text = _FENCE.sub(" zzcodeblock ", text)
    text = _TRACE_LINE.sub(" zztraceline ", text)
    text = _URL.sub(" zzurl ", text)
    text = _VERSION.sub(" zzversion ", text)
    text = _CHECKBOX.sub(" zzcheckbox ", text)
    text = _HEADING.sub(" zzheading ", text)
    return _SPACE.sub(" ", text).lower()


@dataclass(frozen=True)
class _Cue:
    name: str
    pattern: re.Pattern[str]
    title_only: bool = False


def _cue(name: str, pattern: str, *, title_only: bool = False) -> _Cue:
    return _Cue(name, re.compile(pattern, re.IGNORECASE), title_only)


# The question marks of scripts that have their own: full-width and small forms (as CJK input
# methods type them), Arabic, Greek (U+037E, which looks like ";"), Armenian (written over the
# stressed vowel, hence searched anywhere in the line), Ethiopic, Vai and Limbu; then the inverted
# mark, the interrobang, the double and mixed marks and the question-mark emoji.
QUESTION_MARKS = (
    "?\uff1f\ufe56\ufe16\u061f\u037e\u055e\u1367\ua60f\u1945"
    "\u00bf\u203d\u2047\u2048\u2049\u2753\u2754"
)

# Hand-picked signals that hold across GitHub issues, app reviews and support tickets. They give
# the model something to generalise from when a workspace's wording shares few n-grams with the
# seed examples.
CUES: tuple[_Cue, ...] = (
    _cue("question_mark_title", f"[{QUESTION_MARKS}]", title_only=True),
    _cue(
        "question_opening",
        r"^\s*(how|what|why|where|when|which|who|is|are|can|could|does|do|did|should|will"
        r"|would|has|have|any way|is there)\b",
        title_only=True,
    ),
    _cue("how_do_i", r"\b(how (do|can|should|would) (i|we|you|one)|how to|is it possible)\b"),
    _cue("asking", r"\b(any (idea|advice|help)|help me|not sure (how|if|whether)|wondering)\b"),
    _cue("docs", r"\b(documentation|docs|example|tutorial|guide|explain)\b"),
    _cue(
        "request",
        r"\b(please (add|make|support|let|allow|bring|include)|pls add|plz add|would be "
        r"(nice|great|cool|awesome|helpful)|it would be|i('d| would) (like|love) (to|it|if)"
        r"|wish (it|there|you|i)|feature request|should (be able|support|have|allow)|add (an? )?"
        r"(option|setting|way|support|ability)|support for|allow (users|me|us)|ability to)\b",
    ),
    _cue("proposal", r"\b(proposal|propose|rfc|enhancement|suggestion|suggest|idea)\b"),
    _cue(
        "defect",
        r"\b(crash\w*|bug\w*|broken|error\w*|exception|fail\w*|freez\w*|hang\w*|stuck|glitch\w*"
        r"|regression|doesn'?t work|does not work|not working|won'?t (open|load|start|work)"
        r"|can'?t (open|log|load|sign)|keeps? (crashing|closing|logging)|wrong|incorrect)\b",
    ),
    _cue("expected_actual", r"\b(expected|actual) (behaviou?r|result|output)\b"),
    _cue("repro", r"\b(steps to reproduce|to reproduce|repro|reproduction|minimal example)\b"),
    _cue("trace", r"zztraceline"),
    _cue("code", r"zzcodeblock"),
    _cue(
        "praise",
        r"\b(love|loving|awesome|amazing|great|excellent|fantastic|brilliant|perfect|thank(s| you)"
        r"|best (app|tool|library)|well done|kudos|5 stars|five stars|wonderful|superb)\b",
    ),
    # Hearts, heart eyes, thumbs up, raised and clapping hands, party, stars, fire, hundred.
    _cue(
        "positive_emoji",
        r"[\u2764\U0001F495-\U0001F49F\U0001F60D\U0001F44D\U0001F64C\U0001F44F\U0001F389"
        r"\u2b50\U0001F31F\U0001F525\U0001F4AF]",
    ),
    # Angry, cursing, steaming, eye-rolling, sad, crying, frowning and sick faces; thumbs down,
    # pile of poo, broken heart.
    _cue(
        "negative_emoji",
        r"[\U0001F620\U0001F621\U0001F92C\U0001F624\U0001F644\U0001F612\U0001F61E\U0001F622"
        r"\U0001F62D\U0001F629\U0001F62B\U0001F641\u2639\U0001F922\U0001F92E\U0001F44E"
        r"\U0001F4A9\U0001F494]",
    ),
    _cue("exclaim", r"!"),
)
# Always set for non-empty text, so they say nothing about whether the text was understood.
LENGTH_FEATURES = ("log_length", "short")
CUE_NAMES: tuple[str, ...] = (*(cue.name for cue in CUES), *LENGTH_FEATURES)


def cue_matrix(texts: Sequence[str]) -> NDArray[np.float64]:
    """One row of 0/1 cue flags (plus two length features) per text."""
    rows = np.zeros((len(texts), len(CUE_NAMES)), dtype=np.float64)
    for i, text in enumerate(texts):
        clipped = normalise(text)
        title, _ = split_title(text)
        for j, cue in enumerate(CUES):
            where = title if cue.title_only else clipped
            rows[i, j] = 1.0 if cue.pattern.search(where) else 0.0
        words = len(clipped.split())
        rows[i, -2] = math.log1p(words) / math.log1p(MAX_CHARS)
        rows[i, -1] = 1.0 if words <= 12 else 0.0
    return rows


@dataclass(frozen=True)
class Vectorisers:
    """Fitted n-gram vectorisers: words of the whole text; words and characters of the title."""

    words: Tfidf
    title_words: Tfidf
    title_chars: Tfidf


def build_vectorisers(texts: Sequence[str]) -> Vectorisers:
    from sklearn.feature_extraction.text import TfidfVectorizer

    normalised = [normalise(t) for t in texts]
    titles = [normalise(split_title(t)[0]) for t in texts]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=50_000)
    title_words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    title_chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, max_features=50_000
    )
    words.fit(normalised)
    title_words.fit(titles)
    title_chars.fit(titles)
    return Vectorisers(*(Tfidf.from_sklearn(v) for v in (words, title_words, title_chars)))


def text_matrix(vectorisers: Vectorisers, texts: Sequence[str]) -> csr_matrix:
    """The sparse feature matrix: n-gram blocks and the cue block side by side."""
    from scipy.sparse import csr_matrix, hstack

    normalised = [normalise(t) for t in texts]
    titles = [normalise(split_title(t)[0]) for t in texts]
    blocks = [
        vectorisers.words.transform(normalised),
        vectorisers.title_words.transform(titles),
        vectorisers.title_chars.transform(titles),
        csr_matrix(cue_matrix(texts)),
    ]
    return csr_matrix(hstack(blocks, format="csr"))


def recognised(features: csr_matrix) -> NDArray[np.bool_]:
    """Per row of ``text_matrix``: whether the text has any known n-gram or any cue flag.

    A text in a script, or made of emoji, that the training texts never used has neither; a
    model reading it sees only its length, and whatever it answers comes from elsewhere.
    """
    evidence = features[:, : features.shape[1] - len(LENGTH_FEATURES)]
    return np.asarray(evidence.getnnz(axis=1) > 0, dtype=np.bool_)
