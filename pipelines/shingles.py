"""Text normalisation, word shingles and MinHash band keys for near-verbatim copies.

Syndicated copies differ in bylines, datelines and punctuation, so everything
here works on casefolded words with punctuation removed, in any script.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import cache, lru_cache

import numpy as np
from anyascii import anyascii

SHINGLE_WORDS = 3
NUM_PERM = 128
# 64 bands of 2 rows: pairs with Jaccard around 0.15 already collide in some band,
# so a teaser holding a fifth of its original is still a candidate (then checked exactly).
# Word 3-grams: a one-word edit breaks only three shingles.
BANDS = 64
ROWS = NUM_PERM // BANDS


class _Separators(dict):
    """str.translate table: a character that is no letter, combining mark or digit becomes
    a space. Filled as characters are first met (the table lookups run in C), up to
    TABLE_SIZE of them: a hostile page of every code point cannot make it grow without end."""

    TABLE_SIZE = 65536

    def __missing__(self, code: int) -> int:
        mapped = code if unicodedata.category(chr(code))[0] in "LMN" else ord(" ")
        if len(self) < self.TABLE_SIZE:
            self[code] = mapped
        return mapped


_SEPARATORS = _Separators()


def words(text: str) -> list[str]:
    """Casefolded words; letters, combining marks and digits of any script are word characters."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_SEPARATORS).split()


@lru_cache(maxsize=65536)
def latin(word: str) -> str:
    """A word in Latin letters: transliterated from any script and folded, so राजनाथ,
    Раджнат and Rajnath come out close enough to compare."""
    text = anyascii(unicodedata.normalize("NFC", word)).lower()
    return "".join(ch for ch in text if ch.isalnum())


def body_hash(text: str, tokens: list[str] | None = None) -> str:
    """Hash of the body ignoring case, punctuation and whitespace: exact reprints collide.
    `tokens`: the body's `words` when the caller has them already."""
    tokens = words(text) if tokens is None else tokens
    return hashlib.sha1(" ".join(tokens).encode()).hexdigest()


def _hash32(value: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(value, digest_size=4).digest(), "little")


def shingles(tokens: list[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word `size`-grams (the whole text if shorter)."""
    grams = [" ".join(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))]
    return np.unique(np.array([_hash32(g.encode()) for g in grams if g], dtype=np.uint32))


# MinHash with affine permutations h -> a*h + b (mod 2^64, a odd, so each is a bijection)
# of the shingles' 32-bit hashes, which blake2b has already mixed.
_CHUNK = 2048  # shingles hashed at a time, to bound the temporary array


def minhash(shingle_hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint64 values) of a set of shingle hashes."""
    a, b = _permutations()
    signature = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    values = shingle_hashes.astype(np.uint64)
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK, None]
        np.minimum(signature, (chunk * a + b).min(axis=0), out=signature)
    return signature


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The permutations' a and b, drawn once per process (importing numpy.random is a
    twentieth of a second every command would pay)."""
    draw = np.random.default_rng(1)
    a = draw.integers(0, 1 << 62, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return a, draw.integers(0, 1 << 62, NUM_PERM, dtype=np.uint64)


def band_keys(signature: np.ndarray) -> list[int]:
    """One key per LSH band (a signed 64-bit integer, as SQLite stores it compactly):
    documents sharing a key are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        rows = band.to_bytes(1, "little") + signature[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller shingle set found in the other: a teaser scores high in its source."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b))
