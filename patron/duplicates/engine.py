"""Finding likely duplicate customers: normalization, blocking keys and a scored comparison.

Pure Python on plain dicts (no Django), so the scan, the create form's warning and bench/
all run the same code. A record is a mapping with the customer's field names (first_name,
last_name, date_of_birth, address_1, postcode, email, mobile_phone, ...).

How it works:
- `prepare` reads a record once into comparable forms: accent-free lower-case names, the
  name a nickname stands for, a date of birth as YYYYMMDD, street number and street apart,
  compact postcode, phone digits, lower-case email.
- Blocking: each record gets a few keys per pass (same email; same phone; a name's Soundex
  code + postcode; a name's code + date of birth; date of birth + postcode; street + number
  + postcode area; both names' codes + year of birth; surname + town + initial). The
  postcode's characters are sorted in its keys, so a transposed postcode still shares
  them, and name codes are unlabelled, so swapped first and last names do too. Only
  records sharing a key are compared, so
  the work grows with the records, not with their square. A key shared by more than
  `max_block` records (a fifth of it for names alone) says little (a common name in a big
  town) and is passed over. `Blocking` holds a scan's records compactly (keys as 64-bit
  hashes in flat arrays, grouped one pass at a time) and hands out its blocks in chunks,
  which `find_duplicates` may compare in several forked processes.
- Comparison: each field adds evidence for or against, in the manner of Fellegi and
  Sunter's log-odds weights, set by hand from what each agreement means (no training on
  labelled pairs). The sum becomes a score between 0 and 1 and the reasons in words.
- The threshold (THRESHOLD) was chosen on the FEBRL data sets (bench/duplicates_bench.py):
  the weights are hand-set, only that one number was read off the labelled data.
"""

import gc
import math
import multiprocessing
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from patron.duplicates.nicknames import are_nicknames, canonical

# The log-odds sum at which a pair reads as score 0.5, and how fast the score rises
# around it. THRESHOLD is the score from which a pair is proposed.
CENTRE = 5.5
SPREAD = 2.5
THRESHOLD = 0.5
MAX_BLOCK = 100
# Passes on names alone (with only a year of birth) grow as the square of the customers:
# their blocks are cut at a fifth of MAX_BLOCK, so a million customers stay within minutes.
BROAD_PASSES = {"names"}

PASSES = (
    "email",
    "phone",
    "name+postcode",
    "name+birth",
    "birth+postcode",
    "street+number",
    "names",
    "surname+town",
)

STREET_WORDS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "cres": "crescent",
    "cct": "circuit",
    "pl": "place",
    "ct": "court",
    "dr": "drive",
    "ln": "lane",
    "tce": "terrace",
    "hwy": "highway",
    "pde": "parade",
    "cl": "close",
    "sq": "square",
    "gdns": "gardens",
}
COMPANY_NOISE = {"ltd", "limited", "inc", "plc", "llc", "llp", "the", "co", "company", "gmbh"}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def plain(text: object) -> str:
    """Lower-case accent-free words of letters and digits: "O'Néill-Smith" -> "o neill smith"."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    bare = str(text)
    if not bare.isascii():  # plain ASCII has no accents to take off (most text, and fast)
        decomposed = unicodedata.normalize("NFKD", bare)
        bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


def birth_digits(value: object) -> str:
    """A date of birth as YYYYMMDD, from a date or text ("1980-02-19", "19800219"); "" if none."""
    if isinstance(value, date):
        if value.year >= 1000:  # as strftime says it, several times faster
            return f"{value.year}{value.month:02d}{value.day:02d}"
        return value.strftime("%Y%m%d")
    digits = "".join(char for char in plain(value) if char.isdigit())
    return digits if len(digits) == 8 else ""


def phone_digits(value: object) -> str:
    digits = "".join(char for char in str(value or "") if char.isdigit())
    return digits if len(digits) >= 6 else ""


def soundex(name: str) -> str:
    return jellyfish.soundex(name) if name else ""


@dataclass(slots=True)
class Record:
    """A customer in the comparable forms the scan and the scoring use."""

    id: object
    organization: bool
    given: str
    given_name: str  # the name a nickname stands for ("bill" -> "william")
    surname: str  # an organization's name
    birth: str
    street_number: str
    street: str
    locality: str
    city: str
    postcode: str
    state: str
    email: str
    phones: tuple[str, ...]  # sorted
    keys: tuple[tuple[str, ...], ...] = field(default=())


def _split_street(address: str) -> tuple[str, str]:
    """ "44 forbes st" -> ("44", "forbes street"): the number apart, abbreviations spelled out."""
    words = address.split()
    number = []
    while words and any(char.isdigit() for char in words[0]):
        number.append(words.pop(0))
    street = " ".join(STREET_WORDS.get(word, word) for word in words)
    return " ".join(number), street


def prepare(values: Mapping, *, id: object = None) -> Record:
    """Read a customer's fields (a dict of the model's field names) into a Record."""
    organization = values.get("kind") == "organization"
    if organization:
        words = [w for w in plain(values.get("company_name")).split() if w not in COMPANY_NOISE]
        given, surname = "", " ".join(words)
    else:
        first = plain(values.get("first_name")).split()
        given = first[0] if first else ""
        surname = plain(values.get("last_name"))
    number, street = _split_street(plain(values.get("address_1")))
    locality = " ".join(
        part for part in (plain(values.get("address_2")), plain(values.get("address_3"))) if part
    )
    phones = {
        phone_digits(values.get(name)) for name in ("work_phone", "home_phone", "mobile_phone")
    }
    record = Record(
        id=values.get("id") if id is None else id,
        organization=organization,
        given=given,
        given_name=canonical(given),
        surname=surname,
        birth=birth_digits(values.get("date_of_birth")),
        street_number=number,
        street=street,
        locality=locality,
        city=plain(values.get("city")),
        postcode=plain(values.get("postcode")).replace(" ", ""),
        state=plain(values.get("state")),
        email=str(values.get("email") or "").strip().lower(),
        phones=tuple(sorted(phone for phone in phones if phone)),
    )
    record.keys = blocking_keys(record)
    return record


def blocking_keys(record: Record) -> tuple[tuple[str, ...], ...]:
    """The record's keys for each pass of PASSES (a pass may give none, or several)."""
    # Each name's code, unlabelled, so first and last names swapped still share a key.
    if record.organization:
        codes = sorted({soundex(word) for word in record.surname.split()[:2]})
    else:
        codes = sorted({soundex(name) for name in (record.given_name, record.surname) if name})
    # The postcode's characters sorted: "2170" and a mistyped "2710" share the key.
    postcode = "".join(sorted(record.postcode))
    birth = record.birth
    street = soundex(record.street.split()[0]) if record.street else ""
    town = record.city
    region = record.postcode[:1]
    initial = record.given_name[:1]
    surname = soundex(record.surname.replace(" ", ""))
    return (
        (record.email,) if record.email else (),
        record.phones,
        tuple(f"{code}|{postcode}" for code in codes) if postcode else (),
        tuple(f"{code}|{birth}" for code in codes) if birth else (),
        (f"{birth}|{postcode}",) if birth and postcode else (),
        (f"{street}|{record.street_number}|{region}",) if street and record.street_number else (),
        (f"{'|'.join(codes)}|{birth[:4]}",) if len(codes) == 2 else (),
        (f"{surname}|{town}|{initial}",) if surname and town else (),
    )


@dataclass(slots=True)
class Match:
    """A likely duplicate pair: ids in order, score 0..1 and its reasons in words."""

    a: object
    b: object
    score: float
    reasons: list[str]

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


# Comparison of fields. Each answers (log-odds weight, reason or "").


def _typos(x: str, y: str) -> int:
    return DamerauLevenshtein.distance(x, y)


def _compare_surname(x: str, y: str, label: str = "surname") -> tuple[float, str]:
    if not x or not y:
        return 0.0, ""
    if x == y:
        return 5.0, f"same {label}"
    typos = _typos(x, y)
    if typos == 1:
        return 3.5, f"{label} 1 typo"
    if typos == 2 and min(len(x), len(y)) >= 5:
        return 2.0, f"{label} 2 typos"
    if JaroWinkler.similarity(x, y) >= 0.9:
        return 2.0, f"similar {label}"
    if soundex(x) == soundex(y):
        return 1.0, f"{label} sounds alike"
    return -2.5, f"different {label}"


def _compare_given(x: str, y: str) -> tuple[float, str]:
    if not x or not y:
        return 0.0, ""
    if x == y:
        return 4.0, "same first name"
    if are_nicknames(x, y):
        return 3.5, f"nickname ({x}/{y})"
    if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
        return 1.5, "initial matches"
    typos = _typos(x, y)
    if typos == 1:
        return 2.5, "first name 1 typo"
    if typos == 2 and min(len(x), len(y)) >= 5:
        return 1.0, "first name 2 typos"
    if JaroWinkler.similarity(x, y) >= 0.9:
        return 1.5, "similar first name"
    return -2.0, "different first name"


def _compare_names(a: Record, b: Record) -> tuple[float, list[str]]:
    if a.organization:
        x, y = a.surname, b.surname
        if not x or not y:
            return 0.0, []
        if x == y:
            return 8.0, ["same name"]
        ratio = fuzz.token_sort_ratio(x, y)
        if ratio >= 90:
            return 5.0, ["name 1 typo" if _typos(x, y) == 1 else "similar name"]
        if ratio >= 80:
            return 2.0, ["similar name"]
        return -5.0, ["different name"]
    straight = [_compare_given(a.given, b.given), _compare_surname(a.surname, b.surname)]
    swapped = [_compare_given(a.given, b.surname), _compare_surname(a.surname, b.given)]
    weight = sum(w for w, _ in straight)
    crossed = sum(w for w, _ in swapped)
    if crossed > weight + 3:
        return crossed - 0.5, ["first and last names swapped"]
    return weight, [reason for _, reason in straight if reason]


def _compare_birth(x: str, y: str) -> tuple[float, str]:
    if not x or not y:
        return 0.0, ""
    if x == y:
        return 6.0, "same date of birth"
    if x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]:
        return 4.5, "date of birth with day and month swapped"
    if _typos(x, y) == 1:
        return 3.0, "date of birth 1 digit off"
    return -2.5, "different date of birth"


def _compare_address(a: Record, b: Record) -> tuple[float, list[str]]:
    weight, reasons = 0.0, []
    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            weight, reasons = 2.5, ["same postcode"]
        elif _typos(a.postcode, b.postcode) == 1:
            weight, reasons = 1.0, ["postcode 1 typo"]
        else:
            weight, reasons = -1.5, ["different postcode"]
    if a.street_number and b.street_number:
        if a.street_number == b.street_number:
            weight += 1.5
        elif _typos(a.street_number, b.street_number) == 1:
            weight += 0.5
        else:
            weight -= 1.0
    if a.street and b.street:
        # Address lines 1 and 2 are often swapped or run together: compare them as one too.
        similar = max(
            JaroWinkler.similarity(a.street, b.street),
            fuzz.token_sort_ratio(f"{a.street} {a.locality}", f"{b.street} {b.locality}") / 100,
        )
        same_number = a.street_number == b.street_number
        if a.street == b.street and same_number:
            weight += 2.0
            reasons.append("same street address")
        elif similar >= 0.9:
            weight += 1.5
            reasons.append("similar street address")
        elif similar >= 0.8:
            weight += 0.5
        else:
            weight -= 1.5
            reasons.append("different street address")
    if a.locality and b.locality:
        weight += (
            1.5
            if a.locality == b.locality
            else (0.5 if JaroWinkler.similarity(a.locality, b.locality) >= 0.9 else -0.5)
        )
    if a.city and b.city:
        if a.city == b.city:
            weight += 1.5
            reasons.append("same town")
        elif JaroWinkler.similarity(a.city, b.city) >= 0.9:
            weight += 0.75
        else:
            weight -= 1.0
    if a.state and b.state:
        weight += 0.3 if a.state == b.state else -0.3
    return weight, reasons


def _compare_contact(a: Record, b: Record) -> tuple[float, list[str]]:
    weight, reasons = 0.0, []
    if a.email and b.email:
        if a.email == b.email:
            weight, reasons = 8.0, ["same email"]
        elif _typos(a.email, b.email) == 1:
            weight, reasons = 3.0, ["email 1 typo"]
        else:
            weight, reasons = -1.0, []
    if a.phones and b.phones:
        if not set(a.phones).isdisjoint(b.phones):
            weight += 7.0
            reasons.append("same phone")
        else:
            weight -= 1.0
    return weight, reasons


def compare(a: Record, b: Record) -> Match:
    """Score how likely two records are the same customer, with the reasons why."""
    if a.organization != b.organization:
        return Match(a.id, b.id, 0.0, ["a person and an organization"])
    total = 0.0
    reasons: list[str] = []
    for weight, said in (
        _compare_contact(a, b),
        _compare_names(a, b),
        _as_list(_compare_birth(a.birth, b.birth)),
        _compare_address(a, b),
    ):
        total += weight
        reasons.extend(said)
    score = 1.0 / (1.0 + math.exp(-(total - CENTRE) / SPREAD))
    first, second = (a.id, b.id) if _before(a.id, b.id) else (b.id, a.id)
    return Match(first, second, round(score, 3), reasons)


def _as_list(result: tuple[float, str]) -> tuple[float, list[str]]:
    weight, reason = result
    return weight, [reason] if reason else []


def _before(x, y) -> bool:
    return (type(x).__name__, x) < (type(y).__name__, y)


class Blocking:
    """Records gathered a chunk at a time, and the blocks of those sharing a key.

    Memory stays near the records themselves: a record's keys are kept only as 64-bit
    hashes in flat arrays (one pass at a time is grouped), repeated words (names, towns,
    streets) are held once, and after `close()` the records sharing no usable block with
    another are dropped. A hash shared by two different keys (about once in 10^12 scans of
    a million customers) only means a few more pairs are compared, never fewer.
    """

    def __init__(self, *, max_block: int = MAX_BLOCK, compact: bool = True):
        self.compact = compact
        self.records: list[Record | None] = []
        self.limits = [max_block // 5 if name in BROAD_PASSES else max_block for name in PASSES]
        self._hashes = [array("q") for _ in PASSES]
        self._owners = [array("q") for _ in PASSES]
        self._words: dict[str, str] = {}
        # After close(): the members of block b are members[starts[b]:starts[b + 1]], in
        # the records' order; keys_of[i] lists record i's blocks in increasing order.
        self.members = array("q")
        self.starts = array("q", [0])
        self.keys_of: list[list[int] | None] = []

    def add(self, record: Record) -> None:
        index = len(self.records)
        for pass_no, keys in enumerate(record.keys):
            for key in keys:
                self._hashes[pass_no].append(hash(key))
                self._owners[pass_no].append(index)
        if not self.compact:
            self.records.append(record)
            return
        record.keys = ()  # a record added is the Blocking's: its keys are no longer needed
        words = self._words
        for name in ("given", "given_name", "surname", "street", "locality", "city", "state"):
            value = getattr(record, name)
            setattr(record, name, words.setdefault(value, value))
        self.records.append(record)

    def close(self) -> None:
        """Group each pass's keys into blocks; keep those of 2 to the pass's limit records."""
        keys_of: list[list[int] | None] = [None] * len(self.records)
        for pass_no, limit in enumerate(self.limits):
            first: dict[int, int] = {}
            shared: dict[int, list[int]] = {}
            for key, index in zip(self._hashes[pass_no], self._owners[pass_no], strict=True):
                earlier = first.setdefault(key, index)
                if earlier == index:
                    continue
                members = shared.get(key)
                if members is None:
                    shared[key] = [earlier, index]
                elif members[-1] != index:
                    members.append(index)
            del first
            self._hashes[pass_no] = self._owners[pass_no] = array("q")
            for members in shared.values():
                if len(members) > limit:
                    continue
                block = len(self.starts) - 1
                self.members.extend(members)
                self.starts.append(len(self.members))
                for index in members:
                    mine = keys_of[index]
                    if mine is None:
                        keys_of[index] = [block]
                    else:
                        mine.append(block)
        self.keys_of = keys_of
        self._words = {}
        for index, mine in enumerate(keys_of):
            if mine is None:
                self.records[index] = None

    @property
    def block_count(self) -> int:
        return len(self.starts) - 1

    def pairs(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[Record, Record]]:
        """Each pair sharing one of blocks start..stop-1, in the first block they share."""
        records, keys_of, members, starts = self.records, self.keys_of, self.members, self.starts
        for block in range(start, self.block_count if stop is None else stop):
            group = members[starts[block] : starts[block + 1]]
            for i, first in enumerate(group):
                mine = keys_of[first]
                for second in group[i + 1 :]:
                    theirs = keys_of[second]
                    for earlier in mine:
                        if earlier >= block:
                            yield records[first], records[second]
                            break
                        if earlier in theirs:
                            break

    def _pairs_in(self, block: int) -> int:
        size = self.starts[block + 1] - self.starts[block]
        return size * (size - 1) // 2

    def pair_bound(self) -> int:
        """The pairs the blocks hold, a pair sharing two blocks counted twice."""
        return sum(self._pairs_in(block) for block in range(self.block_count))

    def chunks(self, pairs: int) -> list[tuple[int, int]]:
        """Consecutive ranges of blocks holding about `pairs` pairs each."""
        ranges, begin, count = [], 0, 0
        for block in range(self.block_count):
            count += self._pairs_in(block)
            if count >= pairs:
                ranges.append((begin, block + 1))
                begin, count = block + 1, 0
        if begin < self.block_count:
            ranges.append((begin, self.block_count))
        return ranges


def blocking(records: Iterable[Record], *, max_block: int = MAX_BLOCK) -> Blocking:
    """The blocks of `records`, which stay as they were (keys and all)."""
    blocks = Blocking(max_block=max_block, compact=False)
    for record in records:
        blocks.add(record)
    blocks.close()
    return blocks


def candidate_pairs(
    records: Iterable[Record], *, max_block: int = MAX_BLOCK
) -> Iterator[tuple[Record, Record]]:
    """Each pair of records sharing a blocking key, once, never all pairs."""
    return blocking(records, max_block=max_block).pairs()


CHUNK_PAIRS = 20_000
# What a forked worker of a scan compares, given to it as it starts (with fork, nothing is
# pickled, and the parent keeps no global: scans in two threads do not meet).
_WORKER: dict = {}


def _compare(blocks, threshold, exclude, bounds: tuple[int, int]) -> tuple[int, list[Match]]:
    compared, found = 0, []
    for a, b in blocks.pairs(*bounds):
        if exclude is not None:
            first, second = (a.id, b.id) if _before(a.id, b.id) else (b.id, a.id)
            if exclude(first, second):
                continue
        match = compare(a, b)
        compared += 1
        if match.score >= threshold:
            found.append(match)
    return compared, found


def _start_worker(*shared) -> None:
    _WORKER["shared"] = shared


def _compare_in_worker(bounds: tuple[int, int]) -> tuple[int, list[Match]]:
    return _compare(*_WORKER["shared"], bounds)


def find_duplicates(
    records: Iterable[Record] | Blocking,
    *,
    threshold: float = THRESHOLD,
    max_block: int = MAX_BLOCK,
    exclude: Callable[[object, object], bool] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> Iterator[Match]:
    """The likely duplicate pairs among `records`, each once, with score >= threshold.

    `records` may be a closed Blocking (the scan fills one as it reads). `exclude(a_id,
    b_id)` (ids in order) leaves out pairs already judged; `progress(n)` is told the pairs
    compared so far every CHUNK_PAIRS or so. With `workers` > 1 the blocks are compared in
    that many forked processes; the pairs and their order are those of one process.
    """
    blocks = records if isinstance(records, Blocking) else blocking(records, max_block=max_block)
    chunks = blocks.chunks(CHUNK_PAIRS)
    compared = 0
    if workers > 1 and len(chunks) > 1:
        gc.collect()
        gc.freeze()  # the collector would otherwise touch, so copy, every forked page
        try:
            context = multiprocessing.get_context("fork")
            shared = (blocks, threshold, exclude)
            with context.Pool(
                min(workers, len(chunks)), initializer=_start_worker, initargs=shared
            ) as pool:
                for count, found in pool.imap(_compare_in_worker, chunks):
                    compared += count
                    if progress is not None:
                        progress(compared)
                    yield from found
        finally:
            gc.unfreeze()
    else:
        for bounds in chunks:
            count, found = _compare(blocks, threshold, exclude, bounds)
            compared += count
            if progress is not None:
                progress(compared)
            yield from found
    if progress is not None and not chunks:
        progress(compared)
