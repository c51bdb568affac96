"""Personal data in free text, replaced by typed placeholders before feedback is stored.

:func:`redact` finds e-mail addresses, IBANs, international phone numbers (+CC), payment card
numbers, IP addresses (v6, then v4) and national phone numbers, in that order, and replaces each
by ``[EMAIL]``, ``[IBAN]``, ``[PHONE]``, ``[CARD]`` or ``[IP]``. The order matters: an e-mail
address, an IBAN or a "+44 ..." number holds digits that the later, looser number rules would
otherwise cut in pieces.

Precision is worth as much as recall here: a redacted date, amount or version number destroys
the meaning of a message. So every rule asks for more than a shape: cards must pass Luhn and
start like a payment card, IBANs must pass mod-97, IPv6 goes through :mod:`ipaddress`, and
phone numbers need a plausible length and grouping. docs/feedback.md lists the rules and what
they knowingly leave alone.

Developer text is read as developers write it (:mod:`pii_context`): code spans are left as they
are, a four-part number after a package name is a version, and a number after "exit code" or
before "bytes" is no phone number. A :class:`RedactionPolicy` may keep some kinds, or keep
loopback, private and documentation addresses: what is kept is also shielded from the rules
that run after it, as a replaced item would be.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from productpath.ingest.pii_context import code_spans, is_count, is_version_before


class PiiKind(StrEnum):
    EMAIL = "email"
    IBAN = "iban"
    CARD = "card"
    IP = "ip"
    PHONE = "phone"


def placeholder(kind: PiiKind) -> str:
    return f"[{kind.value.upper()}]"


@dataclass(frozen=True)
class RedactionPolicy:
    """What redaction leaves: whole kinds, and whether IPs of no one (loopback, private,
    link-local, documentation ranges) stay."""

    keep: frozenset[PiiKind] = frozenset()
    keep_local_ips: bool = False

    @property
    def keeps_everything(self) -> bool:
        return self.keep >= frozenset(PiiKind)


REDACT_ALL = RedactionPolicy()


def is_local_ip(text: str) -> bool:
    """Whether ``text`` is an address that identifies no one outside a network: loopback,
    private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, unspecified, or reserved for
    documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


@dataclass(frozen=True)
class Redaction:
    """The text with personal data replaced, and how many of each kind were found."""

    text: str
    found: Counter[PiiKind] = field(default_factory=Counter)


Span = tuple[int, int]

# --- e-mail ---------------------------------------------------------------------------------

# RFC 5322 "atext", letters from any script included; runs of it joined by dots.
_ATEXT_MARKS = frozenset("!#$%&'*+/=?^_`{|}~-")
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[^\W\d_](?:[\w-]{{0,61}}[^\W_])?(?![\w-])")
# An address quoted as 'bob@example.com' or {bob@example.com}: the opening mark is atext, but
# the writer meant it as punctuation, so it stays in the text.
_OPENERS = "'`{"


def _is_local(char: str) -> bool:
    return char.isalnum() or char in _ATEXT_MARKS or char == "."


def _emails(text: str) -> Iterator[Span]:
    # Anchored on each "@" and read outwards: a regex that starts anywhere would backtrack over
    # every long word (a pasted token, say) once per starting position.
    at = text.find("@")
    while at >= 0:
        start = at
        while start > 0 and _is_local(text[start - 1]):
            start -= 1
        while start < at and (text[start] == "." or (text[start] in _OPENERS and start < at - 1)):
            start += 1
        domain = _DOMAIN.match(text, at + 1)
        if start < at and domain is not None:
            yield start, domain.end()
            at = text.find("@", domain.end())
        else:
            at = text.find("@", at + 1)


# --- IBAN -----------------------------------------------------------------------------------

# Compact, or printed in groups of four; the last group may be shorter.
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b",
    re.IGNORECASE,
)
_IBAN_LENGTHS = range(15, 35)  # Norway's 15 to the standard's maximum of 34


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, read letters as 10..35,
    and the number must leave 1 when divided by 97."""
    compact = candidate.replace(" ", "").upper()
    if len(compact) not in _IBAN_LENGTHS or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _ibans(text: str) -> Iterator[Span]:
    for match in _IBAN.finditer(text):
        start, end = match.span()
        # Grouped form: a word after the IBAN may have been read as its last group(s).
        while True:
            if iban_is_valid(text[start:end]):
                yield start, end
                break
            cut = text.rfind(" ", start, end)
            if cut < 0 or cut - start < 15:
                break
            end = cut


# --- runs of digit groups (cards and phone numbers) -----------------------------------------


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str
    # The text between the previous group and this one ("" for the first group).
    gap: str
    # The separator that counts for consistency: the gap, except next to a parenthesis.
    sep: str
    parens: bool


def _groups(text: str, start: int, end: int, limit: int | None = None) -> list[_Group]:
    """The digit groups of text[start:end], at most ``limit`` of them."""
    groups: list[_Group] = []
    for match in re.finditer(r"\(\d+\)|\d+", text[start:end]):
        if len(groups) == limit:
            break
        g_start, g_end = start + match.start(), start + match.end()
        between = text[groups[-1].end : g_start] if groups else ""
        parens = match.group().startswith("(")
        sep = "" if parens or (groups and groups[-1].parens) else between.strip("()")
        groups.append(_Group(g_start, g_end, match.group().strip("()"), between, sep, parens))
    return groups


def _best_spans(
    groups: list[_Group],
    valid: Callable[[list[_Group]], bool],
    digits_range: tuple[int, int],
    *,
    anywhere: bool,
    later_group_min: int = 1,
) -> Iterator[Span]:
    """Runs of whole groups that ``valid`` accepts: the leftmost start, then the longest.

    Only the first group may start one unless ``anywhere``; a run is cut only at a space:
    "10.0.19041.1234" is one number, so "0.19041.1234" is no phone number, while in
    "on 25 555-123-4567" the day of the month and the number are apart. A group after the
    first shorter than ``later_group_min`` ends the candidates early (long runs of small
    numbers, a pasted table say, stay cheap).
    """
    i = 0
    while i < len(groups):
        if i and (not anywhere or groups[i].gap != " "):
            i += 1
            continue
        ends, digits = [], 0
        for j in range(i, len(groups)):
            digits += len(groups[j].digits)
            if digits > digits_range[1] or (j > i and len(groups[j].digits) < later_group_min):
                break
            if digits >= digits_range[0] and (j + 1 == len(groups) or groups[j + 1].gap == " "):
                ends.append(j + 1)
        for j in reversed(ends):
            if valid(groups[i:j]):
                yield groups[i].start, groups[j - 1].end
                i = j
                break
        else:
            i += 1


def _digits(groups: list[_Group]) -> str:
    return "".join(g.digits for g in groups)


# --- payment cards --------------------------------------------------------------------------

_CARD_RUN = re.compile(r"(?<![\w#+.,/-])\d+(?:[ -]\d+)*(?![\w@])(?![.,]\d)")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_brand(digits: str) -> bool:
    """Whether the number starts like a payment card and has that brand's length.

    Numbers starting 0, 1, 7, 8 or 9 are ids, timestamps and the like, never payment cards.
    """
    length, two = len(digits), digits[:2]
    if two in ("34", "37"):  # American Express
        return length == 15
    if two in ("30", "36", "38", "39"):  # Diners Club
        return 14 <= length <= 19
    if two == "35":  # JCB
        return 16 <= length <= 19
    if digits[0] == "4":  # Visa
        return length in (13, 16, 19)
    if "51" <= two <= "55" or 2221 <= int(digits[:4]) <= 2720:  # Mastercard
        return length == 16
    # Maestro, Discover, UnionPay, RuPay.
    return digits[0] in "56" and 13 <= length <= 19


def _card_groups(groups: list[_Group]) -> bool:
    if any(g.parens for g in groups):
        return False
    if len(groups) == 1:
        return True
    if len({g.sep for g in groups[1:]}) != 1:
        return False
    # Printed cards group by 4 (Amex 4-6-5, Diners 4-6-4); the last group may be shorter.
    return all(4 <= len(g.digits) <= 6 for g in groups[:-1]) and len(groups[-1].digits) <= 6


def _card_valid(groups: list[_Group]) -> bool:
    digits = _digits(groups)
    return (
        13 <= len(digits) <= 19
        and _card_groups(groups)
        and _card_brand(digits)
        and luhn_is_valid(digits)
    )


def _cards(text: str) -> Iterator[Span]:
    for match in _CARD_RUN.finditer(text):
        if match.end() - match.start() < 13:
            continue
        # Only the first groups can make a card that starts the run: 19 digits at most.
        groups = _groups(text, *match.span(), limit=19)
        yield from _best_spans(groups, _card_valid, (13, 19), anywhere=False)


# --- IP addresses ---------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# Not part of a longer dotted number, nor followed by "-word" (5.15.90.1-microsoft).
_IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d|-[A-Za-z])")
# Versions: "version 1.2.3.4", "build 10.0.0.1", "Chrome/115.0.0.0", "pkg==8.6.0.163";
# "v1.2.3.4" is already excluded by the \w before it.
_VERSION_BEFORE = re.compile(
    r"(?:\b(?:version|release|build|ver\.?)\W{0,3}|[A-Za-z]/|[=~<>!]=\s*)$", re.IGNORECASE
)
# Hex digits, colons and dots (for ::ffff:192.0.2.1); ipaddress decides which are addresses.
_IPV6 = re.compile(r"(?<![\w:.%])[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:%[\w.-]+)?(?![\w:%])")


def _ipv4s(text: str) -> Iterator[Span]:
    for match in _IPV4.finditer(text):
        start = match.start()
        if not (
            _VERSION_BEFORE.search(text, max(0, start - 20), start)
            or is_version_before(text, start)
        ):
            yield match.span()


def _ipv6s(text: str) -> Iterator[Span]:
    for match in _IPV6.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] == ".":  # the full stop ending a sentence
            end -= 1
        candidate = text[start:end]
        # At least two groups written: "::", "::1" and "1::" identify nobody, and the last two
        # are also Python slices.
        if len([part for part in re.split(r":+", candidate) if part]) < 2:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield start, end


# --- phone numbers --------------------------------------------------------------------------

_PHONE_RUN = re.compile(
    r"(?<![\w#$£€¥%+.,/@-])(?:\+ ?)?(?:\(\d{1,5}\)|\d+)"
    r"(?:(?:[ .-]|(?<=\))|(?=\())(?:\(\d{1,5}\)|\d+))*(?!\w)"
)


# "order 5552345678", "ticket no. 0207946095": a reference that only looks like a number.
_REFERENCE_BEFORE = re.compile(
    r"\b(?:order|ref|reference|id|invoice|ticket|transaction|tracking|case|booking)"
    r"(?:\s*(?:no\.?|nr\.?|number|id))?\W{0,3}$",
    re.IGNORECASE,
)
_NANP = re.compile(r"1?[2-9]\d\d[2-9]\d{6}")
_NANP_GROUPS = {(3, 3, 4), (1, 3, 3, 4)}


def _national_phone(groups: list[_Group]) -> bool:
    """A number without "+": after a trunk 0 (0044 ..., 020 7946 0958, 06 12 34 56 78) or in
    the North American shape ((555) 234-5678, 1-800-555-0199)."""
    # Grouping first: it rejects most candidates before any string is built.
    sizes = tuple(len(g.digits) for g in groups)
    first = groups[0].digits
    if len(groups) == 1:
        # A leading 1 is a Unix timestamp or an id far more often than a national number.
        if groups[0].parens or first[0] == "1":
            return False
    elif len({g.sep for g in groups[1:] if g.sep}) > 1:
        return False
    elif first[0] != "0":
        if sizes not in _NANP_GROUPS:
            return False
    elif not (2 <= sizes[0] <= 5 and all(2 <= size <= 8 for size in sizes[1:])):
        return False
    digits = _digits(groups)
    if digits.startswith("00"):  # an international prefix instead of "+"
        return 11 <= len(digits) <= 17 and digits[2] != "0"
    if digits.startswith("0"):
        return 10 <= len(digits) <= 13
    return _NANP.fullmatch(digits) is not None


def _international_phone(groups: list[_Group]) -> bool:
    digits = _digits(groups)
    trunk = sum(1 for g in groups if g.parens and g.digits == "0")
    return 8 <= len(digits) - trunk <= 15 and digits[0] != "0"


def _card_shaped(groups: list[_Group]) -> bool:
    """4111 1111 1111 1112: a card number that fails Luhn (a typo or a reference number) is
    left whole rather than partly read as a phone number."""
    digits = _digits(groups)
    return len(groups) > 1 and 13 <= len(digits) <= 19 and digits[0] != "0" and _card_groups(groups)


def _international_phones(text: str) -> Iterator[Span]:
    for match in _PHONE_RUN.finditer(text):
        start, end = match.span()
        if text[start] == "+" and end - start >= 8:
            groups = _groups(text, start, end, limit=16)
            for _, span_end in _best_spans(groups, _international_phone, (8, 16), anywhere=False):
                yield start, span_end


def _national_phones(text: str) -> Iterator[Span]:
    for match in _PHONE_RUN.finditer(text):
        start, end = match.span()
        if text[start] == "+" or end - start < 10:
            continue
        groups = _groups(text, start, end)
        if _card_shaped(groups):
            continue
        for span in _best_spans(
            groups, _national_phone, (10, 17), anywhere=True, later_group_min=2
        ):
            before = max(0, span[0] - 25), span[0]
            if not (
                _REFERENCE_BEFORE.search(text, *before)
                or _VERSION_BEFORE.search(text, *before)
                or is_count(text, *span)
            ):
                yield span


# --- the pass -------------------------------------------------------------------------------

_DETECTORS: tuple[tuple[PiiKind, Callable[[str], Iterator[Span]]], ...] = (
    (PiiKind.EMAIL, _emails),
    (PiiKind.IBAN, _ibans),
    (PiiKind.PHONE, _international_phones),
    (PiiKind.CARD, _cards),
    (PiiKind.IP, _ipv6s),
    (PiiKind.IP, _ipv4s),
    (PiiKind.PHONE, _national_phones),
)
# Every kind needs one of these; text without any is returned at once.
_TRIGGERS = re.compile(r"[\d@:]")


class _Shelf:
    """Text set aside (code, kept items) behind a token no rule can match, put back at the end.

    A token is private-use characters only: no digit, "@" or ":", so no rule sees into it.
    """

    _TOKEN = re.compile("\ue000([\ue001-\ue010]+)\ue011")

    def __init__(self) -> None:
        self.kept: list[str] = []

    def hide(self, piece: str) -> str:
        number = len(self.kept)
        self.kept.append(piece)
        return "\ue000" + "".join(chr(0xE001 + int(d, 16)) for d in f"{number:x}") + "\ue011"

    def restore(self, text: str) -> str:
        def back(match: re.Match[str]) -> str:
            number = int("".join(f"{ord(c) - 0xE001:x}" for c in match.group(1)), 16)
            return self.kept[number] if number < len(self.kept) else match.group()

        return self._TOKEN.sub(back, text) if self.kept else text


def _replace(
    text: str,
    kind: PiiKind,
    detect: Callable[[str], Iterator[Span]],
    policy: RedactionPolicy,
    shelf: _Shelf,
) -> tuple[str, int]:
    pieces, last, count = [], 0, 0
    for start, end in detect(text):
        pieces.append(text[last:start])
        found = text[start:end]
        if kind in policy.keep or (
            kind is PiiKind.IP and policy.keep_local_ips and is_local_ip(found)
        ):
            pieces.append(shelf.hide(found))
        else:
            pieces.append(placeholder(kind))
            count += 1
        last = end
    if last == 0:
        return text, 0
    pieces.append(text[last:])
    return "".join(pieces), count


def _shelve_code(text: str, shelf: _Shelf) -> str:
    pieces, last = [], 0
    for start, end in code_spans(text):
        pieces += [text[last:start], shelf.hide(text[start:end])]
        last = end
    return "".join(pieces) + text[last:] if pieces else text


def redact(text: str, policy: RedactionPolicy = REDACT_ALL) -> Redaction:
    """``text`` with every e-mail address, IBAN, card number, IP address and phone number
    outside code replaced by its placeholder, except what ``policy`` keeps.

    Repeated until nothing changes, so that ``redact(redact(t).text).text == redact(t).text``
    holds even where a replacement uncovers a new match. It ends: each replacement removes at
    least one digit, "@" or ":" and placeholders and shelf tokens hold none.
    """
    found: Counter[PiiKind] = Counter()
    if policy.keeps_everything or not _TRIGGERS.search(text):
        return Redaction(text, found)
    shelf = _Shelf()
    text = _shelve_code(text, shelf)
    while _TRIGGERS.search(text):
        before = text
        for kind, detect in _DETECTORS:
            text, count = _replace(text, kind, detect, policy, shelf)
            if count:
                found[kind] += count
        if text == before:
            break
    return Redaction(shelf.restore(text), found)
