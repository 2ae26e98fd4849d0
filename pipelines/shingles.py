"""Text normalisation, word shingles and MinHash band keys for near-verbatim copies.

Syndicated copies differ in bylines, datelines and punctuation, so everything
here works on casefolded words with punctuation removed, in any script.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np
from datasketch import MinHash

SHINGLE_WORDS = 3
NUM_PERM = 128
# 64 bands of 2 rows: pairs with Jaccard around 0.15 already collide in some band,
# so a teaser holding a fifth of its original is still a candidate (then checked exactly).
# Word 3-grams: a one-word edit breaks only three shingles.
BANDS = 64
ROWS = NUM_PERM // BANDS


def words(text: str) -> list[str]:
    """Casefolded words; letters, combining marks and digits of any script are word characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text).split()


def body_hash(text: str) -> str:
    """Hash of the body ignoring case, punctuation and whitespace: exact reprints collide."""
    return hashlib.sha1(" ".join(words(text)).encode()).hexdigest()


def _hash32(value: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(value, digest_size=4).digest(), "little")


def shingles(tokens: list[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word `size`-grams (the whole text if shorter)."""
    grams = [" ".join(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))]
    return np.unique(np.array([_hash32(g.encode()) for g in grams if g], dtype=np.uint32))


def minhash(shingle_hashes: np.ndarray) -> MinHash:
    """MinHash over already-hashed shingles (datasketch expects 32-bit hash values)."""
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
    m.update_batch(shingle_hashes.tolist())
    return m


def band_keys(m: MinHash) -> list[str]:
    """One key per LSH band: documents sharing a key are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        rows = m.hashvalues[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(f"{band:02d}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller shingle set found in the other: a teaser scores high in its source."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b))
