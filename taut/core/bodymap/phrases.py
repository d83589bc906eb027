"""Read a place on the body written in plain words and give the chart zones it means.

"side of the head", "behind the knee", "from the buttock down the back of the thigh to the
calf", "an ache over the shin bone (tibia)", "on the injured side": the phrase is split into
pieces (commas, "and", "to", "down", parentheses...), side words are taken out, and each piece is
read body part first, then the place within it, so "back of" can never drag in the back of the
hand when the body part is the head. The words come from zone names and synonyms (zones.yaml)
and the anatomical-terms table (anatomy_terms.yaml). Misspellings are corrected word by word
(rapidfuzz, Damerau-Levenshtein). Nothing found says so, with the nearest zone names.

The index is built once per knowledge base and cached; a warmed call takes tens of microseconds.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from taut.core.knowledge.queries import normalise
from taut.core.knowledge.schema import KnowledgeBase, Side

__all__ = [
    "CloseZone",
    "PhrasePart",
    "PhraseResolution",
    "close_data",
    "close_zones",
    "resolution_data",
    "resolve_phrase",
    "side_for",
    "take_side",
]


@dataclass(frozen=True, slots=True)
class PhrasePart:
    """One piece of a phrase and the zones it means."""

    text: str  # the piece of the phrase this part came from ("jaw", "cheek")
    base_ids: tuple[str, ...]  # base zone ids it means (several for "the whole back")
    zone_ids: tuple[str, ...]  # sided zone ids (e.g. temple_l), after side words and default_side
    side: Side | None  # side word found in the piece, if any
    score: float  # match quality 0..1
    matched: tuple[str, ...]  # the zone names or synonyms it matched


@dataclass(frozen=True, slots=True)
class PhraseResolution:
    """Every zone a phrase names, what matched, and the pieces that matched nothing."""

    text: str
    parts: tuple[PhrasePart, ...]
    zone_ids: tuple[str, ...]  # union of the parts' sided ids, in phrase order, no repeats
    unresolved: tuple[str, ...]  # pieces that matched nothing
    suggestions: tuple[str, ...]  # nearest zone names when something was unresolved


@dataclass(frozen=True, slots=True)
class CloseZone:
    """A zone whose name or synonym resembles the text (for "did you mean" lists)."""

    base_id: str
    zone_ids: tuple[str, ...]
    name: str
    matched: str
    score: float


# ------------------------------------------------------------------ the grammar of places


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words dropped before anything is matched (zone names are read the same way).
FILLERS = _wordset(
    "the a an and to my his her their your our its of on in at around over across along about within upon "
    "by is are this that these those area areas region regions part parts zone zones spot"
)
# Words that carry no place: symptoms, feelings, times. Known, so never "corrected" into a zone.
NOISE = _wordset(
    "pain pains painful ache aches aching achy achiness hurt hurts hurting sore soreness tender "
    "tenderness stiff stiffness burning burn burns tingling tingly tingle numb numbness pins needles "
    "sharp dull deep throbbing stabbing shooting radiating radiates spreading spreads referred referring "
    "refers feeling feels feel like some little bit just mostly mainly sometimes often worse worst night "
    "nights muscle muscles bone bones joint joints tendon tendons ligament ligaments i it get gets got "
    "have has had there here very really quite slightly constant occasional kind sort type pressure tight "
    "tightness knot knots trigger point points cramp cramps cramping spasm spasms discomfort twinge "
    "twinges niggle niggles sensation sensations weakness weak swelling swollen mild severe moderate "
    "chronic acute intermittent superficial band strip line patch localised localized wide when while "
    "after before during sitting standing walking running lying turning bending lifting morning day "
    "evening work pattern referral not no only etc next close near nearby region surface felt ach also "
    "especially aspect aspects surfaces border margin bursa bursae bursitis tendinitis tendonitis tendinopathy "
    "strain sprain injury injured click clicks clicking first thing things thingy stuff lately recently today"
)
# Prefixes of compound directions: "posterolateral", "anteromedial", "superolateral" ...
COMPOUND_PLACES = {"antero": "anterior", "postero": "posterior", "supero": "superior", "infero": "inferior"}
# "the anterior thigh above the knee": a place said relative to a later landmark keeps the first.
RELATIONAL = frozenset({"superior", "inferior", "posterior"})
# Words that name a body part by its symptom; another place in the same piece is more exact.
SYMPTOM_WORDS = frozenset({("headache",), ("headaches",), ("toothache",), ("earache",), ("backache",)})
WHOLE_WORDS = _wordset("whole entire all everywhere throughout widespread generalised generalized diffuse")

LEFT_WORDS = (
    ("left", "hand", "side"),
    ("left", "sided"),
    ("left", "side"),
    ("left",),
    ("lt",),
    ("l",),
    ("lhs",),
    ("sinister",),
)
RIGHT_WORDS = (
    ("right", "hand", "side"),
    ("right", "sided"),
    ("right", "side"),
    ("right",),
    ("rt",),
    ("r",),
    ("rhs",),
    ("dexter",),
)
BOTH_WORDS = (
    ("both", "sides"),
    ("both", "side"),
    ("either", "side"),
    ("each", "side"),
    ("on", "both", "sides"),
    ("bilateral",),
    ("bilaterally",),
    ("both",),
)
_AFFECTED = tuple(
    sorted(_wordset("injured affected painful sore bad same symptomatic involved hurt worse problem one"))
)
_OTHER = tuple(sorted(_wordset("opposite other good unaffected uninjured healthy")))

# After these, "right" means "just", not the right side.
_RIGHT_AS_JUST = _wordset(
    "between behind at in on under above below over beside by through across along around there here where into "
    "up down underneath beneath inside"
)
_DEFAULT, _OPPOSITE, _BOTH = "default", "opposite", "both"
_SIDE_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        [
            *((w, Side.LEFT.value) for w in LEFT_WORDS),
            *((w, Side.RIGHT.value) for w in RIGHT_WORDS),
            *((w, _BOTH) for w in BOTH_WORDS),
            *(((w, "side"), _DEFAULT) for w in _AFFECTED),
            *(((w, "sided"), _DEFAULT) for w in _AFFECTED),
            (("ipsilateral",), _DEFAULT),
            (("ipsilaterally",), _DEFAULT),
            *(((w, "side"), _OPPOSITE) for w in _OTHER),
            (("contralateral",), _OPPOSITE),
            (("contralaterally",), _OPPOSITE),
        ],
        key=lambda pair: -len(pair[0]),
    )
)

_SIDE_STARTS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    first: tuple(pair for pair in _SIDE_PHRASES if pair[0][0] == first) for first in {p[0] for p, _ in _SIDE_PHRASES}
}

# Pieces of a phrase are separated by punctuation and these words.
_SPLIT = re.compile(
    r"[,;/&+|]|\.(?:\s|$)|\bto\b(?!\s*\d)|\b(?:and|or|plus|then|into|down|up|from|via|through|toward|towards|also|with|"
    r"as well as|including|spreading|radiating|extending|going|travell?ing|shooting|when|while|but|"
    r"especially|mostly|mainly)\b"
)
_PAREN = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_BETWEEN = re.compile(r"\bbetween\s+((?:[a-z'-]+\s+){0,4}?)(?:and|&)\s+")
_LEFT_AND_RIGHT = re.compile(r"\b(?:left\s+(?:and|&|or)\s+right|right\s+(?:and|&|or)\s+left)\b")
_IRREGULAR = {"calves": "calf", "halves": "half", "feet": "foot", "teeth": "tooth", "knives": "knife"}


# ------------------------------------------------------------------ the index


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "zone", "part", "term" or "place"
    id: str
    label: str
    zones: tuple[str, ...]
    bare: tuple[str, ...]
    as_place: tuple[str, ...] = ()


_BACK = _Entry("part", "back", "back", (), ())


@dataclass(frozen=True, slots=True)
class _Tag:
    """Places one name of a zone says, and the zones of the part they are relative to (None: any)."""

    rel: frozenset[str] | None
    places: frozenset[str]
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    lexicon: dict[tuple[str, ...], tuple[_Entry, ...]]
    labels: dict[tuple[str, ...], str]
    max_len: int
    vocab: frozenset[str]
    spell: tuple[str, ...]
    tags: dict[str, tuple[_Tag, ...]]
    region_part: dict[str, _Entry]
    order: dict[str, int]
    keys: tuple[str, ...]
    names: tuple[str, ...]
    name_zone: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(text).split() if w not in FILLERS)


@lru_cache(maxsize=8)
def _index(base: KnowledgeBase) -> _Index:
    lexicon: dict[tuple[str, ...], list[_Entry]] = {}
    labels: dict[tuple[str, ...], str] = {}

    def add(text: str, entry: _Entry) -> None:
        key = _words(text)
        if not key:
            return
        entries = lexicon.setdefault(key, [])
        if entry not in entries:
            entries.append(entry)
        labels.setdefault(key, text)

    term_entries: dict[str, _Entry] = {}
    for term in base.anatomy_terms.values():
        entry = _Entry(term.kind, term.id, term.words[0], term.zones, term.bare or term.zones, term.as_place)
        term_entries[term.id] = entry
        for word in term.words:
            add(word, entry)
    place_entries = {t.id: term_entries[t.id] for t in base.anatomy_terms.values() if t.kind == "place"}
    for prefix, first in COMPOUND_PLACES.items():  # "posterolateral" = posterior and lateral
        for second in ("lateral", "medial", "superior", "inferior"):
            if first in place_entries and second in place_entries and first != second:
                compound = (prefix + second,)
                lexicon.setdefault(compound, [place_entries[first], place_entries[second]])
                labels.setdefault(compound, compound[0])
    base_lexicon = {k: tuple(v) for k, v in lexicon.items()}
    for spec in base.zone_specs.values():
        entry = _Entry("zone", spec.id, spec.name, (spec.id,), (spec.id,))
        for name in (spec.id, spec.name, *spec.synonyms):
            add(name, entry)
    frozen = {k: tuple(v) for k, v in lexicon.items()}
    max_len = max(len(k) for k in frozen)
    vocab = {w for k in frozen for w in k} | NOISE | FILLERS | WHOLE_WORDS
    vocab |= {w for phrase, _ in _SIDE_PHRASES for w in phrase}
    spell = tuple(sorted({w for k in frozen for w in k if len(w) >= 3 and w.isalpha()}))
    region_part = {
        spec.id: term_entries[spec.region.value]
        for spec in base.zone_specs.values()
        if spec.region.value in term_entries and spec.id in term_entries[spec.region.value].zones
    }
    tags: dict[str, tuple[_Tag, ...]] = {}
    base_max = max((len(k) for k in base_lexicon), default=1)
    for spec in base.zone_specs.values():
        found: list[_Tag] = []
        for name in (spec.name, *spec.synonyms):
            items = _segment(_words(name), base_lexicon, base_max)
            anchors, places, _ = _split_items(items)
            rel = frozenset(z for a in anchors for e in a for z in e.zones) or None
            if places:
                found.append(_Tag(rel, frozenset(places), name))
        tags[spec.id] = tuple(found)
    names: list[str] = []
    name_zone: list[str] = []
    for spec in base.zone_specs.values():
        for name in (spec.name, *spec.synonyms):
            names.append(normalise(name))
            name_zone.append(spec.id)
    return _Index(
        lexicon=frozen,
        labels=labels,
        max_len=max_len,
        vocab=frozenset(vocab),
        spell=spell,
        tags=tags,
        region_part=region_part,
        order={zone_id: i for i, zone_id in enumerate(base.zone_specs)},
        keys=tuple(" ".join(k) for k in frozen),
        names=tuple(names),
        name_zone=tuple(name_zone),
    )


# ------------------------------------------------------------------ reading one piece

_Item = tuple[str, tuple[_Entry, ...], tuple[str, ...]]  # (kind, entries, words)


def _segment(words: Sequence[str], lexicon: dict[tuple[str, ...], tuple[_Entry, ...]], max_len: int) -> list[_Item]:
    """Split the words into the fewest known names (an unknown word costs three): "top of the
    shoulder blade" is "top" + "shoulder blade", not "top of the shoulder" + "blade"."""
    n = len(words)
    best: list[tuple[int, list[_Item]] | None] = [None] * (n + 1)
    best[0] = (0, [])
    for i in range(n):
        current = best[i]
        if current is None:
            continue
        cost, items = current
        options: list[tuple[int, _Item]] = []
        for size in range(min(max_len, n - i), 0, -1):
            key = _known(tuple(words[i : i + size]), lexicon)
            if key is not None:
                entries = lexicon[key]
                kind = "place" if all(e.kind == "place" for e in entries) else "anchor"
                options.append((size, (kind, entries, key)))
        word = words[i]
        if not options:
            kind = "whole" if word in WHOLE_WORDS else "noise" if word in NOISE else "unknown"
            options.append((1, (kind, (), (word,))))
        for size, item in options:
            step = 3 if item[0] == "unknown" else 1
            target = best[i + size]
            if target is None or cost + step < target[0]:
                best[i + size] = (cost + step, [*items, item])
    final = best[n]
    return final[1] if final is not None else []


def _known(key: tuple[str, ...], lexicon: dict[tuple[str, ...], tuple[_Entry, ...]]) -> tuple[str, ...] | None:
    """The lexicon key for these words, allowing a plural last word ("middle fingers")."""
    if key in lexicon:
        return key
    last = key[-1]
    for cut, tail in ((3, "y"), (2, ""), (1, "")):
        if len(last) > cut + 2 and last.endswith(("ies", "es", "s")[3 - cut]):
            single = (*key[:-1], last[:-cut] + tail)
            if single in lexicon:
                return single
    return None


def _split_items(items: list[_Item]) -> tuple[list[tuple[_Entry, ...]], set[str], bool]:
    """Anchors (body parts, terms, zones), the places asked for, and whether the whole part is meant.

    A part word that can act as a place ("back", "upper back") is a place when another anchor
    names the part ("back of the knee", "upper back of the head").
    """
    anchors = [entries for kind, entries, _ in items if kind == "anchor"]
    if len(anchors) > 1:  # "headache over the eye": the symptom word gives way to the place
        symptoms = [entries for kind, entries, words in items if kind == "anchor" and words in SYMPTOM_WORDS]
        anchors = [a for a in anchors if a not in symptoms] or anchors
    for i, (kind, entries, _) in enumerate(items):
        before = [a for k, a, _ in items[:i] if k == "anchor"]
        after = [a for k, a, _ in items[i + 1 :] if k == "anchor"]
        if kind == "place" and before and after and any(e.id in RELATIONAL for e in entries):
            return before, set(), False
    places = {e.id for kind, entries, words in items if kind == "place" and words != ("side",) for e in entries}
    if not places and any(kind == "place" for kind, _, _ in items):
        places = {"lateral"}  # "side of the knee"; with another place ("inner side") the other one counts
    whole = any(kind == "whole" for kind, _, _ in items)
    if len(anchors) > 1 and not all(_placeable(a) for a in anchors):
        for entries in [a for a in anchors if _placeable(a)]:
            anchors.remove(entries)
            if not any(all(e.kind == "zone" for e in a) for a in anchors):  # a named zone is placed already
                places |= {p for e in entries for p in e.as_place}
    return anchors, places, whole


def _correct(word: str, index: _Index, *, strict: bool = False) -> tuple[str, ...] | None:
    """A known spelling for an unknown word: plural, two joined words, or one or two typos off
    (``strict``: plurals only)."""
    if word in _IRREGULAR and _IRREGULAR[word] in index.vocab:
        return (_IRREGULAR[word],)
    for cut, tail in ((3, "y"), (2, ""), (1, "")):
        if len(word) > cut + 2 and word.endswith(("ies", "es", "s")[3 - cut]):
            stem = word[:-cut] + tail
            if stem in index.vocab:
                return (stem,)
    if strict or not word.isalpha() or len(word) < 4:
        return None
    limit = 1 if len(word) <= 6 else 2
    found = process.extractOne(word, index.spell, scorer=DamerauLevenshtein.distance, score_cutoff=limit)
    if found is not None:
        return (str(found[0]),)
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        if head in index.vocab and tail in index.vocab and head not in NOISE and tail not in NOISE:
            return (head, tail)
    return None


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    words: tuple[str, ...]
    side: str | None
    paren: bool
    corrections: int


def take_side(words: list[str]) -> str | None:
    """Remove side words from ``words`` (in place) and say which side they named."""
    found: str | None = None
    i = 0
    while i < len(words):
        if words[i] == "right" and i + 1 < len(words) and words[i + 1] in _RIGHT_AS_JUST:
            del words[i]  # "right between my shoulder blades": "right" means "just"
            continue
        for phrase, side in _SIDE_STARTS.get(words[i], ()):
            size = len(phrase)
            if tuple(words[i : i + size]) == phrase:
                # "left side of the head": "side" stays a place word
                keep_side = phrase[-1] in ("side", "sides") and i + size < len(words) and words[i + size] == "of"
                del words[i : i + size - (1 if keep_side else 0)]
                if keep_side:
                    i += 1
                found = side if found in (None, side) else _BOTH
                break
        else:
            i += 1
    return found


def _pieces(text: str, index: _Index, *, strict: bool = False) -> list[_Piece]:
    words = normalise(text).split()
    side = take_side(words)
    whole = tuple(w for w in words if w not in FILLERS)
    if whole in index.lexicon:  # a name as written, even with "and" in it ("junction of mid and low back")
        return [_Piece(" ".join(normalise(text).split()), whole, side, False, 0)]
    raw = text.lower()
    raw = _LEFT_AND_RIGHT.sub(" both ", raw)
    segments: list[tuple[str, bool]] = []
    last = 0
    for match in _PAREN.finditer(raw):
        segments.append((raw[last : match.start()], False))
        segments.append((match.group(1) if match.group(1) is not None else match.group(2), True))
        last = match.end()
    segments.append((raw[last:], False))
    out: list[_Piece] = []
    for segment, paren in segments:
        segment = _BETWEEN.sub(lambda m: f"between {m.group(1)} ", segment.replace("(", " ").replace(")", " "))
        for chunk in _SPLIT.split(segment):
            words = normalise(chunk).split()
            if not words:
                continue
            side = take_side(words)
            kept: list[str] = []
            corrections = 0
            for word in (w for w in words if w not in FILLERS):
                if word in index.vocab:
                    kept.append(word)
                    continue
                fixed = _correct(word, index, strict=strict)
                if fixed is None:
                    kept.append(word)
                else:
                    kept.extend(fixed)
                    corrections += 1
            out.append(_Piece(" ".join(normalise(chunk).split()), tuple(kept), side, paren, corrections))
    return out


def _group(anchor: tuple[_Entry, ...], index: _Index) -> frozenset[str]:
    """The zones a place word may choose among for this anchor: its part, or a zone's own part."""
    zones = {z for e in anchor if e.kind != "zone" for z in e.zones}
    if zones:
        return frozenset(zones)
    out: set[str] = set()
    for e in anchor:
        part = index.region_part.get(e.id)
        out |= set(part.zones) if part is not None else {e.id}
    return frozenset(out)


def _bare(anchor: tuple[_Entry, ...]) -> frozenset[str]:
    """What a plain mention means: the zone itself, or the part's usual zones."""
    zones = [e for e in anchor if e.kind == "zone"]
    return frozenset(z for e in (zones or list(anchor)) for z in e.bare)


def _narrow(candidates: frozenset[str], places: set[str], index: _Index) -> tuple[dict[str, str], int]:
    """Zones among ``candidates`` whose names best say the places asked for (zone -> name), and how
    many of the places they say."""
    best: tuple[int, int, int] = (0, 0, 0)
    chosen: dict[str, str] = {}
    for zone in candidates:
        for tag in index.tags.get(zone, ()):
            if tag.rel is not None and not (tag.rel <= candidates or candidates <= tag.rel):
                continue
            matched = len(tag.places & places)
            if matched == 0:
                continue
            # a name placed relative to this very part ("back of the hand") before one relative to a
            # smaller part inside it ("back of the index finger")
            key = (matched, -len(tag.places - places), int(tag.rel == candidates))
            if key > best:
                best, chosen = key, {zone: tag.name}
            elif key == best and zone not in chosen:
                chosen[zone] = tag.name
    return chosen, best[0]


@dataclass(frozen=True, slots=True)
class _Read:
    base_ids: frozenset[str]
    matched: tuple[str, ...]
    score: float


def _read(
    items: list[_Item], inherited: tuple[_Entry, ...] | None, index: _Index
) -> tuple[_Read | None, list[tuple[_Entry, ...]]]:
    """The zones one piece means (None when it names no place), and its anchors."""
    anchors, places, whole = _split_items(items)
    labels = [index.labels.get(words, " ".join(words)) for kind, _, words in items if kind == "anchor"]
    score = 1.0
    if not anchors:
        if not places or inherited is None:
            return None, anchors
        anchors, score = [inherited], 0.85
        labels = [inherited[0].label]
    if whole:
        zones = frozenset(z for a in anchors for z in _group(a, index))
        return _Read(zones, tuple(labels), score), anchors
    group = frozenset.intersection(*(_group(a, index) for a in anchors))
    if places and group:
        chosen, said = _narrow(group, places, index)
        if chosen:
            quality = 0.95 if said == len(places) else 0.8
            return _Read(frozenset(chosen), tuple(dict.fromkeys(chosen.values())), score * quality), anchors
        score *= 0.8  # the place words picked nothing out; the part as a whole
    if len(anchors) == 1:
        return _Read(_bare(anchors[0]), tuple(labels), score), anchors
    if group:
        bares = [_bare(a) for a in anchors]
        zones = frozenset.intersection(*bares) & group or frozenset.union(*bares) & group or group
        return _Read(zones, tuple(labels), score), anchors
    zones = frozenset(z for a in anchors for z in _bare(a))
    return _Read(zones, tuple(labels), score * 0.9), anchors


def _fuzzy(words: tuple[str, ...], index: _Index) -> tuple[_Item, float] | None:
    """Last resort for a piece of unknown words: the closest whole name, if close enough."""
    query = " ".join(w for w in words if w not in NOISE)
    if len(query) < 4:
        return None
    found = process.extractOne(query, index.keys, scorer=fuzz.ratio, score_cutoff=85)
    if found is None:
        return None
    key = tuple(str(found[0]).split())
    entries = index.lexicon[key]
    kind = "place" if all(e.kind == "place" for e in entries) else "anchor"
    return (kind, entries, key), float(found[1]) / 100


# ------------------------------------------------------------------ sides


def _sided(base: KnowledgeBase, base_id: str, side: Side | None) -> tuple[str, ...]:
    if not base.zone_specs[base_id].bilateral:
        return (base_id,)
    if side is Side.LEFT:
        return (f"{base_id}_l",)
    if side is Side.RIGHT:
        return (f"{base_id}_r",)
    return (f"{base_id}_l", f"{base_id}_r")


def side_for(marker: str | None, default_side: Side | None) -> Side | None:
    if marker == Side.LEFT.value:
        return Side.LEFT
    if marker == Side.RIGHT.value:
        return Side.RIGHT
    if marker == _BOTH:
        return Side.MIDLINE
    if marker == _OPPOSITE:
        if default_side is Side.LEFT:
            return Side.RIGHT
        if default_side is Side.RIGHT:
            return Side.LEFT
        return Side.MIDLINE
    return default_side


def _markers(pieces: Sequence[_Piece]) -> list[str | None]:
    """Each piece's side word; one side word in a phrase ("left hip and thigh") covers every piece,
    otherwise a side carries forward to the pieces after it."""
    named = {p.side for p in pieces if p.side is not None}
    if len(named) == 1:
        only = next(iter(named))
        return [only] * len(pieces)
    out: list[str | None] = []
    current: str | None = None
    for piece in pieces:
        current = piece.side or current
        out.append(current)
    return out


# ------------------------------------------------------------------ the public functions


def resolve_phrase(
    base: KnowledgeBase, text: str, default_side: Side | None = None, *, strict: bool = False
) -> PhraseResolution:
    """Every zone a phrase names, sided.

    ``default_side`` applies to pieces without a side word (Side.LEFT / Side.RIGHT; None or
    Side.MIDLINE mean both sides of bilateral zones); "on the injured side" and similar fall back
    to it, "the other side" takes the opposite one. Never raises on any text.

    ``strict`` (for what goes into a record: the pain-chart form, written marks): misspellings are
    not corrected and a piece with a word the reader does not know is unresolved, so the person
    is asked ("Did you mean: Temple?") instead of a guess being filed.
    """
    index = _index(base)
    if text.strip() in base.zones:  # a sided id such as temple_l
        zone = base.zones[text.strip()]
        part = PhrasePart(text.strip(), (zone.base_id,), (zone.id,), zone.side, 1.0, (zone.id,))
        return PhraseResolution(text, (part,), (zone.id,), (), ())
    pieces = _pieces(text, index, strict=strict)
    markers = _markers(pieces)
    segmented = [_segment(p.words, index.lexicon, index.max_len) for p in pieces]
    fuzzy_scores: dict[int, float] = {}
    for i, items in enumerate(segmented):
        if not any(kind in ("anchor", "place") for kind, _, _ in items) and i + 1 < len(pieces):
            # "ring and little fingers": the piece borrows the last word of the next one
            tail = next((words[-1:] for kind, _, words in segmented[i + 1] if kind == "anchor"), ())
            content = tuple(w for w in pieces[i].words if w not in NOISE)
            if tail and content and _known((*content, *tail), index.lexicon) is not None:
                segmented[i] = _segment((*content, *tail), index.lexicon, index.max_len)
        elif i + 1 < len(pieces) and all(kind in ("place", "noise") for kind, _, _ in items):
            # "upper and lower back": the place borrows what follows the next piece's place word
            key = next((words for kind, _, words in segmented[i + 1] if kind == "anchor"), ())
            content = tuple(w for w in pieces[i].words if w not in NOISE)
            lead = index.lexicon.get(key[:1], ())
            if len(key) > 1 and lead and all(e.kind == "place" for e in lead):
                borrowed = _known((*content, *key[1:]), index.lexicon)
                if borrowed is not None:
                    segmented[i] = _segment(borrowed, index.lexicon, index.max_len)
        if not strict and not any(kind in ("anchor", "place") for kind, _, _ in segmented[i]):
            found = _fuzzy(pieces[i].words, index)
            if found is not None:
                segmented[i] = [found[0]]
                fuzzy_scores[i] = found[1]
    rows = _merge(pieces, segmented, markers, fuzzy_scores, index)
    first_anchor: list[tuple[_Entry, ...] | None] = []
    for _, items, _, _ in rows:
        anchors, _, _ = _split_items(items)
        first_anchor.append(_part_of(anchors[0], index) if anchors else None)
    parts: list[PhrasePart] = []
    unresolved: list[str] = []
    for i, (piece, items, marker, fuzzy_score) in enumerate(rows):
        later = [a for a in first_anchor[i + 1 :] if a is not None]
        earlier = [a for a in first_anchor[:i] if a is not None]
        inherited = later[0] if later else (earlier[-1] if earlier else None)
        read, _ = _read(items, inherited, index)
        if strict and any(kind == "unknown" for kind, _, _ in items):
            read = None
        if read is None:
            if any(kind in ("unknown", "place") for kind, _, _ in items):
                unresolved.append(piece.text)
            continue
        penalty = 0.9**piece.corrections * fuzzy_score
        if piece.paren and parts and read.base_ids <= set(parts[-1].base_ids):
            prior = parts[-1]  # "shin bone (tibia)": the parenthesis names the same place again
            parts[-1] = dataclasses.replace(prior, matched=tuple(dict.fromkeys((*prior.matched, *read.matched))))
            continue
        parts.append(_part(base, piece, marker, read, default_side, read.score * penalty))
    zone_ids = tuple(dict.fromkeys(z for p in parts for z in p.zone_ids))
    guessed: list[str] = []
    if strict and unresolved:  # "Did you mean": what the lenient reading makes of the same pieces
        lenient = resolve_phrase(base, text, default_side)
        guessed = [b for p in lenient.parts if p.text in unresolved for b in p.base_ids]
    suggestions = _suggest(index, base, unresolved, guessed=guessed) if unresolved or not zone_ids else ()
    if not zone_ids and not unresolved and text.strip():
        unresolved.append(" ".join(normalise(text).split()))
        suggestions = _suggest(index, base, unresolved)
    return PhraseResolution(text, tuple(parts), zone_ids, tuple(unresolved), suggestions)


def _placeable(entries: tuple[_Entry, ...]) -> bool:
    return all(e.kind == "part" and e.as_place for e in entries)


def _merge(
    pieces: Sequence[_Piece],
    segmented: Sequence[list[_Item]],
    markers: Sequence[str | None],
    fuzzy: dict[int, float],
    index: _Index,
) -> list[tuple[_Piece, list[_Item], str | None, float]]:
    """Join a parenthesis that only places the piece before it ("thumb (palm side)"), and read a
    lone "back" before a place ("back and front of the thigh") as a place."""
    rows: list[tuple[_Piece, list[_Item], str | None, float]] = []
    for i, (piece, items) in enumerate(zip(pieces, segmented, strict=True)):
        anchors = [entries for kind, entries, _ in items if kind == "anchor"]
        places = any(kind == "place" for kind, _, _ in items)
        if piece.paren and rows and all(_placeable(a) for a in anchors) and (anchors or places):
            prior = rows[-1]
            rows[-1] = (prior[0], prior[1] + items, prior[2], prior[3])
            continue
        if (
            piece.words == ("back",)
            and i + 1 < len(segmented)
            and pieces[i + 1].words
            and all(e.kind == "place" for e in index.lexicon.get(pieces[i + 1].words[:1], (_BACK,)))
        ):
            items = [("place", tuple(_Entry("place", p, "back", (), ()) for p in items[0][1][0].as_place), ("back",))]
        rows.append((piece, items, markers[i], fuzzy.get(i, 1.0)))
    return rows


def _part_of(anchor: tuple[_Entry, ...], index: _Index) -> tuple[_Entry, ...]:
    """The body part an anchor belongs to, for a neighbouring piece that only names a place."""
    non_zone = tuple(e for e in anchor if e.kind != "zone")
    if non_zone:
        return non_zone
    parts = tuple(index.region_part[e.id] for e in anchor if e.id in index.region_part)
    return parts or anchor


def _part(
    base: KnowledgeBase, piece: _Piece, marker: str | None, read: _Read, default_side: Side | None, score: float
) -> PhrasePart:
    index = _index(base)
    side = side_for(marker, default_side)
    base_ids = tuple(sorted(read.base_ids, key=index.order.__getitem__))
    zone_ids = tuple(z for b in base_ids for z in _sided(base, b, side))
    shown = side if marker is not None else None
    return PhrasePart(piece.text, base_ids, zone_ids, shown, round(min(score, 1.0), 3), read.matched)


def _suggest(
    index: _Index, base: KnowledgeBase, pieces: Iterable[str], n: int = 5, guessed: Iterable[str] = ()
) -> tuple[str, ...]:
    """Zone names near the pieces: first the zones a lenient reading found (``guessed``), then names
    that resemble the words (rapidfuzz WRatio, within 12 points of the best)."""
    out: list[str] = [base.zone_specs[z].name for z in dict.fromkeys(guessed)]
    for piece in pieces:
        query = " ".join(w for w in normalise(piece).split() if w not in FILLERS and w not in NOISE)
        if not query:
            continue
        found = process.extract(query, index.names, scorer=fuzz.WRatio, limit=12)
        top = max((score for _, score, _ in found), default=0)
        for _, score, i in found:
            name = base.zone_specs[index.name_zone[i]].name
            if score >= max(55, top - 12) and name not in out:
                out.append(name)
    return tuple(out[:n])


def close_zones(base: KnowledgeBase, text: str, limit: int = 10, threshold: float = 0.55) -> list[CloseZone]:
    """Zones whose names or synonyms resemble a piece of the text, best first (rapidfuzz WRatio);
    side words narrow the sided ids."""
    index = _index(base)
    pieces = _pieces(text, index)
    markers = _markers(pieces)
    best: dict[str, tuple[float, str, Side | None]] = {}
    for piece, marker in zip(pieces, markers, strict=True):
        query = " ".join(w for w in piece.words if w not in NOISE)
        if not query:
            continue
        side = side_for(marker, None)
        found = process.extract(query, index.names, scorer=fuzz.WRatio, limit=None, score_cutoff=threshold * 100)
        for _, score, i in found:
            zone = index.name_zone[i]
            if zone not in best or score > best[zone][0]:
                best[zone] = (float(score), index.names[i], side)
    hits = [
        CloseZone(zone, _sided(base, zone, side), base.zone_specs[zone].name, matched, round(score / 100, 3))
        for zone, (score, matched, side) in best.items()
    ]
    hits.sort(key=lambda h: (-h.score, index.order[h.base_id]))
    return hits[:limit]


def resolution_data(resolution: PhraseResolution) -> dict[str, object]:
    """A resolution as plain JSON-ready data (the CLI's ``--json`` and the API share it)."""
    return {
        "text": resolution.text,
        "zone_ids": list(resolution.zone_ids),
        "parts": [
            {
                "text": p.text,
                "base_ids": list(p.base_ids),
                "zone_ids": list(p.zone_ids),
                "side": p.side.value if p.side is not None else None,
                "score": p.score,
                "matched": list(p.matched),
            }
            for p in resolution.parts
        ],
        "unresolved": list(resolution.unresolved),
        "suggestions": list(resolution.suggestions),
    }


def close_data(hit: CloseZone) -> dict[str, object]:
    """A close zone as plain JSON-ready data."""
    return {
        "base_id": hit.base_id,
        "zone_ids": list(hit.zone_ids),
        "name": hit.name,
        "matched": hit.matched,
        "score": hit.score,
    }
