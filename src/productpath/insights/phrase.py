"""A theme's name as a phrase its own customers wrote: "Card was declined", "GBP to AUD".

Keywords ("card · working · doesn") tell an analyst what a theme is about but read poorly in an
executive summary. The name is found from the first line of each member (a ticket's subject;
the body is often a template shared by every theme) in two steps:

1. **Which words.** Among the dozen words most members of the theme use, rank the sets of one
   to three words by how well they separate the theme from the rest: the harmonic mean of
   *coverage* (share of the theme's members that use every word of the set) and *precision*
   (share of the items using them that are in the theme), with a bonus per extra word, so
   "transfer declined" beats the broader "transfer".
2. **Which words around them.** The most frequent shortest stretch of a member's text holding
   all the chosen words, within one clause ("transfer was declined"), grown by a word or two on
   either side while most occurrences share them ("apple" -> "apple pay", "source" -> "source
   of funds"). A stretch must read as a phrase: it never ends on a bare "not" or a stop word,
   and "not" is never followed by one ("did not my transfer"). When no member wrote the best
   set's words as such a phrase, the next set is tried; when none did, the name is empty and
   the caller falls back to keywords.

Counting runs on bounded samples (``MEMBER_SAMPLE`` members per theme, ``CORPUS_SAMPLE`` items
for precision), so naming costs about the same for ten thousand or a million items.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

from productpath.insights.words import WORD

TOP_WORDS = 12
MAX_WORDS = 3
CANDIDATE_SETS = 10
EXTRA_WORD_BONUS = 0.3
MAX_GAP = 3
GROW_SHARE = 0.5
GROW_STEPS = 2
MEMBER_SAMPLE = 400
HEAD_TOKENS = 40
MAX_NAME_CHARS = 80
CORPUS_SAMPLE = 20_000
# A single-word name must be longer than this ("Id", "Tf", "App" say too little alone) and not
# end like a bare verb ("Added", "Failing").
SHORT_WORD = 3
_VERB_ENDINGS = ("ed", "ing")
# ... and both most members must use it and most of its uses must be in the theme.
SINGLE_WORD_SHARE = 0.5
# Phrases of two or more content words looked for per theme: the best, and two to fall back
# on when another theme's name says the same.
ENOUGH_CANDIDATES = 3

_APOSTROPHE = "\u2019"  # typographic apostrophe, read as "'"
# Words, with their apostrophes and hyphens ("didn't", "top-up"), and code names written
# with dots or underscores as one word ("tf.function", "input_signature", "React.memo").
_TOKEN = re.compile(rf"{WORD}(?:['\u2019]{WORD})*(?:[-._]{WORD})*")
_CLAUSE_ENDS = ".,;:!?()[]"
_TOKEN_OR_BREAK = re.compile(_TOKEN.pattern + r"|[.,;:!?()\[\]]")
BREAK = "|"
_IRREGULAR_NEGATIVE = {"won't": "will", "can't": "can", "shan't": "shall"}
NEGATIONS = frozenset({"not", "no", "never", "cannot"})
# Words that say nothing of a topic in feedback: greetings, politeness, filler verbs.
_FEEDBACK_FILLER = frozenset(
    {
        "hi", "hello", "hey", "thanks", "thank", "please", "pls", "just", "really", "able",
        "need", "want", "like", "know", "does", "did", "got", "get", "help", "way", "ok",
        "yes", "im", "ive", "dont", "i'm", "i've", "it's", "there's", "that's", "what's",
    }
)  # fmt: skip


# scikit-learn's stop words include verbs and nouns that carry a complaint ("didn't go
# through", "won't show", "wrong amount"); here they count as words.
_MEANINGFUL = frozenset(
    {
        "go", "show", "work", "call", "find", "found", "give", "put", "take", "see", "move",
        "fill", "back", "top", "bill", "system", "detail", "amount", "name", "empty", "full",
        "interest", "front", "bottom", "first", "last", "next", "twice", "again",
    }
)  # fmt: skip
# A phrase may start with "how" ("how long does delivery take", "how do I top up"); other
# question words make fragments ("why my card payment did not work").
_QUESTION_WORDS = frozenset({"how"})
# Words that make a question with the "how" before them; alone they open no phrase.
_AFTER_HOW = frozenset({"long", "much", "many", "often", "soon", "far", "come"})
# A phrase may end on these though they are stop words: the first always closes a phrasal verb
# ("top up", "go through"); the second only where the clause mostly ends there ("log in", not
# "broken on Android" or "showing up in my account").
_CLOSING_PARTICLES = frozenset({"up", "out", "off", "down", "through", "away", "back"})
_PARTICLES = _CLOSING_PARTICLES | frozenset({"in", "on", "over"})


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return (frozenset(ENGLISH_STOP_WORDS) | _FEEDBACK_FILLER) - NEGATIONS - _MEANINGFUL


def tokens(text: str) -> list[str]:
    """Lower-cased words of the text's first line, at most ``HEAD_TOKENS`` of them, with "n't"
    spelt out ("didn't" -> "did", "not") so that negation is a word of its own, and ``BREAK``
    where punctuation ends a clause, so no phrase runs from one sentence into the next.

    The first line of a ticket or issue is its subject; the body below is often a template
    ("Steps to reproduce", "Version") whose words would name every theme alike.
    """
    head = text.strip().split("\n", 1)[0].replace(_APOSTROPHE, "'")
    found: list[str] = []
    for match in _TOKEN_OR_BREAK.finditer(head):
        if len(found) >= HEAD_TOKENS:
            break
        # Lower-cased word by word: lowering the line first can split a letter in two ("İ").
        token = match.group(0).lower()
        if token[0] in _CLAUSE_ENDS:
            if found and found[-1] != BREAK:
                found.append(BREAK)
        elif token.endswith("n't") and len(token) > 3:
            found.extend((_IRREGULAR_NEGATIVE.get(token, token[:-3]), "not"))
        else:
            found.append(token)
    return found


def word_key(token: str) -> str:
    """The form counted for a word: simple English plurals folded ("fees" counts as "fee")."""
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _is_content(token: str) -> bool:
    return (
        len(token) > 1
        and any(character.isalpha() for character in token)  # not "42" or "2.12"
        and token not in _stop_words()
        and token not in NEGATIONS
    )


def _content_keys(words: Sequence[str]) -> set[str]:
    return {word_key(w) for w in words if _is_content(w) or w in NEGATIONS}


def _spread(indices: NDArray[np.int64], limit: int) -> NDArray[np.int64]:
    """At most ``limit`` of ``indices``, evenly spread, so samples are deterministic."""
    if len(indices) <= limit:
        return indices
    return indices[np.linspace(0, len(indices) - 1, limit).round().astype(np.int64)]


def _presence(keyed: Sequence[set[str]], words: Sequence[str]) -> NDArray[np.bool_]:
    table = np.zeros((len(keyed), len(words)), dtype=bool)
    column = {w: j for j, w in enumerate(words)}
    for i, keys in enumerate(keyed):
        for key in keys:
            j = column.get(key)
            if j is not None:
                table[i, j] = True
    return table


def _rows_by_word(keyed: Sequence[set[str]]) -> dict[str, NDArray[np.int64]]:
    """For each word, the rows that use it: built once, so each theme's precision counts cost
    its dozen words, not a pass over the whole corpus sample."""
    rows: dict[str, list[int]] = {}
    for i, keys in enumerate(keyed):
        for key in keys:
            rows.setdefault(key, []).append(i)
    return {key: np.asarray(found, dtype=np.int64) for key, found in rows.items()}


def _presence_from_index(
    index: dict[str, NDArray[np.int64]], size: int, words: Sequence[str]
) -> NDArray[np.bool_]:
    table = np.zeros((size, len(words)), dtype=bool)
    for j, word in enumerate(words):
        found = index.get(word)
        if found is not None:
            table[found, j] = True
    return table


def _near_pairs(member_words: Sequence[list[str]]) -> set[frozenset[str]]:
    """Pairs of words some member wrote close together, in one clause: only such words can
    share a phrase, so sets of words that never meet are not worth ranking."""
    near: set[frozenset[str]] = set()
    reach = MAX_WORDS + MAX_GAP - 1
    for words in member_words:
        keys = [word_key(w) for w in words]
        for i, key in enumerate(keys):
            for other in keys[i + 1 : i + 1 + reach]:
                if other == BREAK:
                    break
                if other != key:
                    near.add(frozenset((key, other)))
    return near


def _ranked_word_sets(
    member_keys: Sequence[set[str]],
    member_words: Sequence[list[str]],
    corpus: tuple[dict[str, NDArray[np.int64]], int],
    theme_size: int,
    corpus_size: int,
) -> tuple[list[tuple[str, ...]], set[tuple[str, ...]]]:
    """The best ``CANDIDATE_SETS`` word sets, best first (ties broken by the words); a set of
    two or three words only if each pair of them stands close together in some member. Second,
    the single words too loose to name the theme alone (see ``SINGLE_WORD_SHARE``)."""
    counts = Counter(key for keys in member_keys for key in keys)
    # Sorted by count, then word: a Counter's own order of ties follows set iteration, which
    # changes from one process to the next.
    frequent = sorted((w for w, n in counts.items() if n >= 2), key=lambda w: (-counts[w], w))
    top = [w for w in frequent if w not in NEGATIONS][:TOP_WORDS]
    top += sorted(w for w in NEGATIONS if counts[w] >= 2)
    if not top:
        return [], set()
    in_theme = _presence(member_keys, top)
    index, sampled = corpus
    in_corpus = _presence_from_index(index, sampled, top)
    scale = corpus_size / max(sampled, 1)
    near = _near_pairs(member_words)
    scored: list[tuple[float, tuple[str, ...]]] = []
    loose: list[tuple[str, ...]] = []
    for size in range(1, MAX_WORDS + 1):
        for combo in itertools.combinations(range(len(top)), size):
            words = tuple(top[j] for j in combo)
            if all(w in NEGATIONS for w in words):
                continue
            if any(frozenset(pair) not in near for pair in itertools.combinations(words, 2)):
                continue
            members = int(in_theme[:, combo].all(axis=1).sum())
            if members < 2:
                continue
            coverage = members / len(member_keys)
            # Estimated items of the whole corpus with these words; the theme's own count is a
            # floor, as the corpus sample may miss a small theme's members.
            everywhere = max(in_corpus[:, combo].all(axis=1).sum() * scale, coverage * theme_size)
            precision = coverage * theme_size / everywhere
            score = 2 * coverage * precision / (coverage + precision)
            score *= 1 + EXTRA_WORD_BONUS * (size - 1)
            # A lone word names a theme only where most members use it and most of its uses
            # are in the theme; a word that runs through a grab-bag ("Terminal") says too little.
            if size > 1 or min(coverage, precision) >= SINGLE_WORD_SHARE:
                scored.append((round(score, 9), words))
            else:
                loose.append(words)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [words for _, words in scored[:CANDIDATE_SETS]], set(loose)


def _shortest_span(words: list[str], wanted: set[str]) -> tuple[int, int] | None:
    keys = [word_key(w) for w in words]
    found: tuple[int, int] | None = None
    for start, key in enumerate(keys):
        if key not in wanted:
            continue
        seen: set[str] = set()
        for stop in range(start, min(len(keys), start + len(wanted) + MAX_GAP)):
            if keys[stop] == BREAK:
                break
            if keys[stop] in wanted:
                seen.add(keys[stop])
            if seen == wanted:
                if found is None or stop - start < found[1] - found[0]:
                    found = (start, stop)
                break
    return found


def _can_end(word: str) -> bool:
    return _is_content(word) or word in _PARTICLES


def _grow(span: tuple[str, ...], member_words: Sequence[list[str]]) -> tuple[str, ...]:
    """Extend ``span`` by the one or two words most occurrences share on either side.

    Two words are taken when the nearer is a stop word ("source" -> "source of funds"). The
    outer word must be one a phrase can end on; a particle only where it closes the phrase
    ("top up", "go through"), not where it opens the next one ("broken on Android").
    """
    for _ in range(GROW_STEPS):
        after: Counter[tuple[str, ...]] = Counter()
        before: Counter[tuple[str, ...]] = Counter()
        dangling: Counter[tuple[str, ...]] = Counter()
        occurrences = 0
        for words in member_words:
            for i in range(len(words) - len(span) + 1):
                if tuple(words[i : i + len(span)]) == span:
                    occurrences += 1
                    end = i + len(span)
                    for width in (1, 2):
                        if end + width <= len(words) and BREAK not in words[end : end + width]:
                            extra = tuple(words[end : end + width])
                            after[extra] += 1
                            following = words[end + width : end + width + 1]
                            if following and following[0] != BREAK:
                                dangling[extra] += 1
                        if i - width >= 0 and BREAK not in words[i - width : i]:
                            before[tuple(words[i - width : i])] += 1
                    break
        options = [
            (count, len(extra), side, extra)
            for side, counter in (("after", after), ("before", before))
            for extra, count in counter.items()
            if count >= max(2.0, GROW_SHARE * occurrences)
            and (
                _is_content(extra[-1] if side == "after" else extra[0])
                or (side == "before" and extra[0] in _QUESTION_WORDS)
                or (side == "after" and extra[-1] in _CLOSING_PARTICLES)
                or (side == "after" and extra[-1] in _PARTICLES and 2 * dangling[extra] <= count)
            )
        ]
        if not options:
            break
        # The widest extension most occurrences share, then the more frequent, then the later.
        _, _, side, extra = max(options, key=lambda o: (o[1], o[0], o[2] == "after", o[3]))
        span = (*span, *extra) if side == "after" else (*extra, *span)
    return span


def _reads_well(span: tuple[str, ...]) -> bool:
    """Ends on a word a phrase can end on, and has no negation before a stop word ("not my")."""
    if not _can_end(span[-1]):
        return False
    return not any(
        word in NEGATIONS and not _is_content(following)
        for word, following in itertools.pairwise(span)
    )


def _finish(words: list[str], start: int, stop: int) -> list[str]:
    """The span, read on past a trailing negation to the next word a phrase can end on, and
    back one word before a leading one ("did not", "can not"). A span opening on the second
    word of a "how long" question takes its "how" and reads on to the clause's end when that
    is near ("how long does delivery take", not "long does delivery")."""
    if start > 0 and words[start] in _AFTER_HOW and words[start - 1] in _QUESTION_WORDS:
        start -= 1
        rest = words[stop + 1 : stop + 1 + MAX_GAP]
        if BREAK in rest:
            stop += rest.index(BREAK)
        elif stop + 1 + len(rest) >= len(words):
            stop += len(rest)
    end = stop
    while (
        end + 1 < len(words)
        and end - stop < MAX_GAP
        and not _can_end(words[end])
        and words[end + 1] != BREAK
    ):
        end += 1
    if not _can_end(words[end]):
        end = stop
    if words[start] in NEGATIONS and start > 0 and words[start - 1] != BREAK:
        start -= 1
    return words[start : end + 1]


def _written_forms(texts: Sequence[str]) -> dict[str, str]:
    """The spelling members most often use for each word ("GBP", "iPhone", "card")."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        head = text.strip().split("\n", 1)[0].replace(_APOSTROPHE, "'")
        # A capital at the start of a line is not a spelling: the first word is not counted.
        for token in _TOKEN.findall(head)[1:HEAD_TOKENS]:
            forms.setdefault(token.lower(), Counter())[token] += 1
    # The form seen most, lower case on ties; words seen only first in a line stay lower case.
    return {
        lower: min(counter.items(), key=lambda item: (-item[1], item[0] != lower))[0]
        for lower, counter in forms.items()
    }


def _display(phrase: Sequence[str], forms: dict[str, str]) -> str:
    words = [forms.get(word, word) for word in phrase]
    # "iPhone" and "GBP" keep their spelling, and so do code names ("tf.function", "npm_config").
    if words and words[0].islower() and not any(mark in words[0] for mark in "._"):
        words[0] = words[0][:1].upper() + words[0][1:]
    # Composed again: lower-casing "İ" gives "i" and a combining dot, and upper-casing that "I".
    text = unicodedata.normalize("NFC", " ".join(words))
    # One long unbroken "word" (a hash, a URL-like string) must not make a paragraph of a name.
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1].rstrip() + "…"


def _phrase(wanted: tuple[str, ...], member_words: Sequence[list[str]]) -> tuple[str, ...]:
    spans: Counter[tuple[str, ...]] = Counter()
    for words in member_words:
        found = _shortest_span(words, set(wanted))
        if found is not None:
            start, stop = found
            spans[tuple(_finish(words, start, stop))] += 1
    readable = [(span, count) for span, count in spans.items() if _reads_well(span)]
    if not readable:
        # No member put these words into a phrase: the keywords will name the theme instead.
        return ()
    # The most frequent, then the shortest, then alphabetical, so the choice is deterministic.
    best = min(readable, key=lambda item: (-item[1], len(item[0]), item[0]))[0]
    return _grow(best, member_words)


def name_themes(texts: Sequence[str], labels: NDArray[np.int64]) -> dict[int, str]:
    """A phrase per theme id >= 0 in ``labels`` ("Card was declined"), or "" where the members
    share no words."""
    return {
        theme: found[0] if found else "" for theme, found in name_candidates(texts, labels).items()
    }


def content_words(name: str) -> int:
    """How many words of a name say something (not stop words, negations or numbers)."""
    return sum(1 for token in tokens(name) if _is_content(token))


def name_key(name: str) -> frozenset[str]:
    """What a name says, for telling near-identical names apart: its content words, plurals
    folded, case and order ignored ("Exchange rates" and "exchange rate" say the same)."""
    return frozenset(word_key(token) for token in tokens(name) if _is_content(token))


def _says_enough(phrase: tuple[str, ...], *, alone: bool = True) -> bool:
    """A name of two or more content words, or (where ``alone``) one content word that is
    neither short (an abbreviation: "Tf", "Id") nor a verb's past or present participle
    ("Added", "Failing")."""
    content = [word for word in phrase if _is_content(word)]
    if len(content) >= 2:
        return True
    if not content or not alone:
        return False
    word = content[0]
    return len(word) > SHORT_WORD and not word.endswith(_VERB_ENDINGS)


def name_candidates(texts: Sequence[str], labels: NDArray[np.int64]) -> dict[int, list[str]]:
    """Names for every theme id >= 0 in ``labels``, best first (empty where the members share
    no words): phrases of two or more content words ahead of single words (a lone "App" or
    "Countries" names a theme only when nothing its members wrote says more), and a single
    word that does not say enough (see ``_says_enough``) never."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    corpus = _spread(np.arange(len(texts), dtype=np.int64), CORPUS_SAMPLE)
    corpus_index = (_rows_by_word([_content_keys(tokens(texts[i])) for i in corpus]), len(corpus))
    names: dict[int, list[str]] = {}
    for theme in sorted(int(t) for t in np.unique(labels[labels >= 0])):
        members = np.flatnonzero(labels == theme)
        sample = _spread(members, MEMBER_SAMPLE)
        member_words = [tokens(texts[i]) for i in sample]
        member_keys = [_content_keys(words) for words in member_words]
        ranked, loose = _ranked_word_sets(
            member_keys, member_words, corpus_index, len(members), len(texts)
        )
        phrases: list[tuple[str, ...]] = []
        longer = 0
        for wanted in ranked:
            found = _phrase(wanted, member_words)
            if found and found not in phrases and _says_enough(found):
                phrases.append(found)
                longer += sum(1 for w in found if _is_content(w)) >= 2
                if longer == ENOUGH_CANDIDATES:  # enough to choose from when names clash
                    break
        # A loose word may still lead a phrase most of its uses share ("integrated terminal").
        for wanted in [] if longer else sorted(loose):
            found = _phrase(wanted, member_words)
            if found and found not in phrases and _says_enough(found, alone=False):
                phrases.append(found)
        # Stable: within each group the best-ranked set's phrase stays first.
        phrases.sort(key=lambda phrase: sum(1 for w in phrase if _is_content(w)) < 2)
        forms = _written_forms([texts[i] for i in sample])
        names[theme] = [_display(phrase, forms) for phrase in phrases]
    return names
