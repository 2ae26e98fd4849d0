"""The story matcher's memory in the database (pipelines/story_store.StoryStore).

A story is a `stories` row (its id is the story's id everywhere: articles, reports,
links) whose `profile` sums its members' evidence. `story_keys` finds stories by the
entities, events, amounts, days and words they carry; `story_members` and `story_bands`
find near-verbatim copies; `story_key_counts` says how rare a key is. Every lookup is an
indexed query with a bound, so assigning an article costs the same however many are
stored. A merged story keeps its row, pointing at the story it joined (`merged_into`), so
every link that named it still resolves.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

import sqlite_utils

from pipelines.story_model import StoryProfile
from pipelines.story_store import Kind, Member

PROFILE_CACHE = 4096  # profiles kept decoded: a crawl compares with the same stories often


class SqliteStoryStore:
    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Callable[[], str],
        run_id: int | None = None,
        *,
        reuse_leads: bool = False,
    ):
        """`run_id` is recorded on merges; `reuse_leads` (a rebuild of the index) gives a
        new story the id of the old story its lead article led, so ids stay stable."""
        self.db = db
        self.clock = clock
        self.run_id = run_id
        self.reuse_leads = reuse_leads
        self._profiles: OrderedDict[int, StoryProfile] = OrderedDict()
        self._indexed: dict[int, set[str]] = {}  # keys in story_keys, of cached stories
        self._documents: int | None = None

    def forget(self) -> None:
        """Drop what is kept decoded (a transaction rolled back: it may hold what the
        database no longer does); it is read again as needed."""
        self._profiles.clear()
        self._indexed.clear()
        self._documents = None

    # ------------------------------------------------------------------ articles

    def member(self, doc_id: str) -> Member | None:
        row = self.db.execute(
            "SELECT story, kind, matched, score, body_hash, shingles FROM story_members"
            " WHERE doc = ?",
            [doc_id],
        ).fetchone()
        return Member(doc_id, *row) if row else None

    def add_member(self, member: Member, band_keys: Sequence[int]) -> None:
        seq = self.db.execute(
            "INSERT INTO story_members (doc, story, kind, matched, score, body_hash, shingles)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                member.doc_id,
                member.story_id,
                member.kind,
                member.matched,
                member.score,
                member.body_hash,
                member.shingles,
            ],
        ).lastrowid
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO story_bands (key, seq) VALUES (?, ?)",
            [(key, seq) for key in band_keys],
        )
        self._documents = self.doc_count() + 1

    def remove_member(self, doc_id: str) -> int | None:
        """Take an article out of the index (to assign it anew); returns its story."""
        row = self.db.execute(
            "SELECT seq, story FROM story_members WHERE doc = ?", [doc_id]
        ).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM story_bands WHERE seq = ?", [row[0]])
        self.db.execute("DELETE FROM story_members WHERE seq = ?", [row[0]])
        self._documents = self.doc_count() - 1
        return row[1]

    def move_member(
        self, doc_id: str, story_id: int, kind: Kind, matched: str | None, score: float
    ) -> None:
        self.db.execute(
            "UPDATE story_members SET story = ?, kind = ?, matched = ?, score = ? WHERE doc = ?",
            [story_id, kind, matched, score, doc_id],
        )

    def by_body_hash(self, body_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT doc FROM story_members WHERE body_hash = ? LIMIT 1", [body_hash]
        ).fetchone()
        return row[0] if row else None

    def by_bands(self, band_keys: Sequence[int], per_key: int) -> set[str]:
        rows = self._latest_per_key(
            "SELECT m.doc FROM story_bands b CROSS JOIN story_members m ON m.seq = b.seq"
            " WHERE b.key = ? ORDER BY b.seq DESC LIMIT ?",
            band_keys,
            per_key,
        )
        return {doc for (doc,) in rows}

    def doc_count(self) -> int:
        if self._documents is None:
            self._documents = self.db.execute("SELECT count(*) FROM story_members").fetchone()[0]
        return self._documents

    # ------------------------------------------------------------------ stories

    def new_story(self, lead: str) -> int:
        if self.reuse_leads:  # the story this article led before, if no article holds it now
            row = self.db.execute(
                "SELECT id FROM stories s WHERE lead_url = ?"
                " AND NOT EXISTS (SELECT 1 FROM story_members m WHERE m.story = s.id)",
                [lead],
            ).fetchone()
            if row:
                self.db.execute(
                    "UPDATE stories SET merged_into = NULL, merged_at = NULL, merged_run = NULL"
                    " WHERE id = ?",
                    [row[0]],
                )
                self._cache(row[0], StoryProfile())
                return row[0]
        story = self.db.execute(
            "INSERT INTO stories (lead_url, first_seen) VALUES (?, ?)", [lead, self.clock()]
        ).lastrowid
        self._cache(story, StoryProfile())
        return story

    def profile(self, story_id: int) -> StoryProfile:
        cached = self._profiles.get(story_id)
        if cached is not None:
            self._profiles.move_to_end(story_id)
            return cached
        row = self.db.execute("SELECT profile FROM stories WHERE id = ?", [story_id]).fetchone()
        profile = StoryProfile.from_json(row[0]) if row and row[0] else StoryProfile()
        self._cache(story_id, profile)
        return profile

    def _cache(self, story_id: int, profile: StoryProfile) -> None:
        self._profiles[story_id] = profile
        self._profiles.move_to_end(story_id)
        if len(self._profiles) > PROFILE_CACHE:
            evicted, _ = self._profiles.popitem(last=False)
            self._indexed.pop(evicted, None)

    def save_profile(self, story_id: int, profile: StoryProfile) -> None:
        self.db.execute(
            "UPDATE stories SET profile = ? WHERE id = ?", [profile.to_json(), story_id]
        )
        keys, indexed = profile.index_keys(), self._indexed.get(story_id, set())
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO story_keys (key, story) VALUES (?, ?)",
            [(key, story_id) for key in keys - indexed],
        )
        self._cache(story_id, profile)
        self._indexed[story_id] = keys | indexed

    def stories_per_key(self, keys: Sequence[str], per_key: int) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {key: [] for key in keys}
        rows = self._latest_per_key(
            "SELECT key, story FROM story_keys WHERE key = ? ORDER BY story DESC LIMIT ?",
            keys,
            per_key,
        )
        for key, story in rows:
            found[key].append(story)
        return found

    def _latest_per_key(self, select: str, keys: Sequence[object], limit: int) -> list[tuple]:
        """The rows of `select` (one `key = ?` and a LIMIT ?) for each key, in one
        statement: each key's lookup keeps its own bound."""
        if not keys:
            return []
        union = " UNION ALL ".join([f"SELECT * FROM ({select})"] * len(keys))
        return self.db.execute(union, [v for key in keys for v in (key, limit)]).fetchall()

    def key_counts(self, keys: Iterable[str]) -> dict[str, int]:
        return dict(
            self.db.execute(
                "SELECT key, n FROM story_key_counts WHERE key IN (SELECT value FROM json_each(?))",
                [json.dumps(list(keys), ensure_ascii=False)],
            ).fetchall()
        )

    def count_keys(self, keys: Iterable[str], change: int = 1) -> None:
        self.db.conn.executemany(
            "INSERT INTO story_key_counts (key, n) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET n = n + excluded.n",
            [(key, change) for key in keys],
        )

    def merge(self, source: int, target: int) -> None:
        """`source`'s articles and index entries move to `target`; `source` (and any story
        merged into it before) points at `target` from now on."""
        self.db.execute("UPDATE story_members SET story = ? WHERE story = ?", [target, source])
        self.db.execute(
            "INSERT OR IGNORE INTO story_keys (key, story)"
            " SELECT key, ? FROM story_keys WHERE story = ?",
            [target, source],
        )
        self.db.execute("DELETE FROM story_keys WHERE story = ?", [source])
        self.db.execute(
            "UPDATE stories SET merged_into = ? WHERE merged_into = ?", [target, source]
        )
        self.db.execute(
            "UPDATE stories SET merged_into = ?, merged_at = ?, merged_run = ?, profile = NULL"
            " WHERE id = ?",
            [target, self.clock(), self.run_id, source],
        )
        self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", [target, source])
        self._profiles.pop(source, None)
        self._indexed.pop(source, None)
