"""Deterministic, unique, realistic-looking ids.

Uniqueness comes from a counter mapped through a bijection (multiplying by a number coprime with
the id space), so no set of issued ids has to be kept in memory; randomness only pads the tail.
"""

from __future__ import annotations

import math
import random
import string

_ALPHABET = string.digits + string.ascii_letters
_HEAD_CHARS = 8
_HEAD_SPACE = 62**_HEAD_CHARS
_HEAD_MULTIPLIER = 2_654_435_761  # odd and not a multiple of 31: coprime with 62**8
_PER_ACCOUNT = 62**3  # ids of one prefix per account before the counter would collide
WHOLE_SPACE = _HEAD_SPACE
assert math.gcd(_HEAD_MULTIPLIER, _HEAD_SPACE) == 1


# Random bytes mapped onto the alphabet: a slight bias towards the first 8 characters does not
# matter for ids, and this is ~10x faster than choosing characters one by one.
_BYTE_TO_CHAR = bytes(ord(_ALPHABET[i % 62]) for i in range(256))


def _base62(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def scrambled(value: int, modulus: int, multiplier: int, offset: int = 0) -> int:
    """A bijection of [0, modulus): distinct inputs give distinct, unordered-looking outputs."""
    return (value * multiplier + offset) % modulus


def _mix(key: int) -> int:
    """A bijection of the 8-character head space that also stirs high digits into low ones
    (a multiplication alone leaves the last digits depending on the last digits only)."""
    half = 62 ** (_HEAD_CHARS // 2)
    value = scrambled(key, _HEAD_SPACE, _HEAD_MULTIPLIER)
    value = (value % half) * half + value // half  # swap the halves: a permutation
    return scrambled(value, _HEAD_SPACE, _HEAD_MULTIPLIER, offset=12_345)


class StripeIds:
    """Stripe-style ids (`cus_...`, `sub_1...`) unique across the whole dataset.

    `namespace` is the account index (or a negative number for shared objects), so each
    account's ids can be minted independently of the order accounts are simulated in. A minter
    that alone issues a prefix (the writer's event ids) may take the whole `capacity`.
    """

    def __init__(self, namespace: int, rng: random.Random, capacity: int = _PER_ACCOUNT) -> None:
        self._namespace = namespace + 1_000  # shared objects use small negative namespaces
        self._rng = rng
        self._capacity = capacity
        self._counters: dict[str, int] = {}

    def new(self, prefix: str, length: int = 24) -> str:
        count = self._counters.get(prefix, 0)
        if count >= self._capacity:
            raise RuntimeError(f"more than {self._capacity} ids with prefix {prefix!r}")
        self._counters[prefix] = count + 1
        key = self._namespace * self._capacity + count
        # Shifting by a per-prefix constant keeps the mapping a bijection for each prefix, and
        # keeps an account's first `cus_` and first `sub_` from sharing a head.
        shift = int.from_bytes(prefix.encode(), "big") * 1_000_003
        head = _base62(_mix((key + shift) % _HEAD_SPACE), _HEAD_CHARS)
        tail_length = max(length - _HEAD_CHARS, 0)
        tail = self._rng.randbytes(tail_length).translate(_BYTE_TO_CHAR).decode("ascii")
        return f"{prefix}_{head}{tail}"


# HubSpot object ids are numeric strings; each object type has its own id space.
_HUBSPOT_SPACES = {
    # object: (first id, size of the space, multiplier coprime with the size)
    "companies": (10_000_000, 89_999_989, 7_919),
    "contacts": (100_000_000, 899_999_953, 104_729),
    "deals": (1_000_000_000, 8_999_999_947, 1_299_709),
    "tickets": (1_000_000_000, 8_999_999_947, 15_485_863),
    "feedback_submissions": (100_000_000, 899_999_953, 32_452_843),
    "meetings": (10_000_000_000, 89_999_999_947, 49_979_687),
}
for _first, _size, _multiplier in _HUBSPOT_SPACES.values():
    assert math.gcd(_size, _multiplier) == 1


def hubspot_id(obj: str, key: int) -> str:
    first, size, multiplier = _HUBSPOT_SPACES[obj]
    if key >= size:
        raise RuntimeError(f"hubspot {obj} id space exhausted at key {key}")
    return str(first + scrambled(key, size, multiplier, offset=12_345))


class HubSpotIds:
    """Numeric HubSpot ids for one account: the account index and a counter form the key."""

    PER_ACCOUNT = 4_096

    def __init__(self, account_index: int) -> None:
        self._account_index = account_index
        self._counters: dict[str, int] = {}

    def new(self, obj: str) -> str:
        count = self._counters.get(obj, 0)
        if count >= self.PER_ACCOUNT:
            raise RuntimeError(f"more than {self.PER_ACCOUNT} hubspot {obj} in one account")
        self._counters[obj] = count + 1
        return hubspot_id(obj, self._account_index * self.PER_ACCOUNT + count + 1)


def company_id(account_index: int) -> str:
    """The HubSpot company id of an account: also Stripe metadata and Segment groupId."""
    return hubspot_id("companies", account_index)


def rng_for(seed: int, index: int, purpose: int) -> random.Random:
    """An independent random stream per (seed, account, purpose), so changing how one module
    draws numbers never shifts what another module generates."""
    return random.Random(f"{seed}:{index}:{purpose}")
