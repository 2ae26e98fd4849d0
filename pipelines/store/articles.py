"""Articles: one row per canonical URL, its tags and revisions, and every URL decided on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sqlite_utils

from pipelines.article import Article
from pipelines.dates import utc_iso
from pipelines.store.schema import TAG_TERMS, tag_terms


class ArticleQueries:
    db: sqlite_utils.Database
    clock: Callable[[], str]

    # ------------------------------------------------------------------ seen URLs

    def seen_at(self, url: str) -> str | None:
        """When this URL was first decided on, or None: the crawler's skip-before-download check."""
        row = self.db.execute("SELECT first_seen FROM seen_urls WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def is_seen(self, url: str) -> bool:
        """True when this URL was stored or judged before: the crawler need not fetch it."""
        return self.seen_at(url) is not None

    def remember_irrelevant(self, urls: Iterable[str | None]) -> None:
        """An article judged off-topic is not stored, but it is not fetched again either."""
        with self.db.atomic():
            self._mark_seen(set(urls), "irrelevant", None, self.clock())

    def _mark_seen(
        self, urls: Iterable[str | None], verdict: str, article_id: int | None, now: str
    ) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO seen_urls (url, verdict, article_id, first_seen) "
            "VALUES (?, ?, ?, ?)",
            [(u, verdict, article_id, now) for u in urls if u],
        )

    # ------------------------------------------------------------------ writing

    def save_article(self, article: Article, run_id: int | None) -> tuple[str, int]:
        """Insert the article, or update its row when its content changed; with its tags,
        its story and its seen-marks, in one transaction (nested in the caller's, if any).

        Returns what happened ('new', 'updated' or 'unchanged') and the row id.
        """
        url = article.key_url
        now = self.clock()
        row = {
            "url": url,
            "fetched_url": article.fetched_url or article.url,
            "feed_url": article.feed_url,
            "source": article.source,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "published": article.published,
            "published_utc": utc_iso(article.published),
            "modified": article.modified,
            "authors": json.dumps(article.authors, ensure_ascii=False),
            "language": article.language,
            "section": article.section,
            "image": article.image,
            "publisher": article.publisher,
            "body_hash": article.body_hash(),
            "relevance": article.relevance,
            "status": article.status,
            "reasons": json.dumps(article.reasons, ensure_ascii=False),
            TAG_TERMS: tag_terms(tag["name"] for tag in article.tags),
        }
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT id, title, body_hash FROM articles WHERE url = ?", [url]
            ).fetchone()
            tags_changed = True
            if existing is None:
                row |= self._story_columns(article, now)
                cursor = self.db.execute(
                    f"INSERT INTO articles ({', '.join(row)}, first_seen, updated_at, run_id) "
                    f"VALUES ({', '.join('?' * len(row))}, ?, ?, ?)",
                    [*row.values(), now, now, run_id],
                )
                outcome, article_id = "new", cursor.lastrowid
            else:
                article_id = existing[0]
                if (existing[1], existing[2]) == (row["title"], row["body_hash"]):
                    outcome, tags_changed = "unchanged", False
                else:
                    self.db.execute(
                        "INSERT INTO article_revisions (article_id, title, body_hash, replaced_at)"
                        " VALUES (?, ?, ?, ?)",
                        [article_id, existing[1], existing[2], now],
                    )
                    assignments = ", ".join(f"{column} = ?" for column in row)
                    self.db.execute(
                        f"UPDATE articles SET {assignments}, updated_at = ? WHERE id = ?",
                        [*row.values(), now, article_id],
                    )
                    outcome = "updated"
            if tags_changed:
                self._write_tags(article_id, article.tags)
            self._mark_seen({url, article.url, article.fetched_url}, "stored", article_id, now)
        return outcome, article_id

    def _story_columns(self, article: Article, now: str) -> dict[str, Any]:
        """The story a new article joined (its id comes from the story matcher, in the
        same transaction; an article stored without one leads a story of its own) and the
        article it is an exact copy of, if any."""
        story_id = article.story_id
        if story_id is None:
            story_id = self.db.execute(
                "INSERT INTO stories (lead_url, first_seen) VALUES (?, ?)",
                [article.key_url, now],
            ).lastrowid
        duplicate_of = None
        if article.story_kind == "duplicate" and article.matched:
            match = self.db.execute(
                "SELECT id FROM articles WHERE url = ?", [article.matched]
            ).fetchone()
            duplicate_of = match[0] if match else None
        return {
            "story_id": story_id,
            "story_kind": article.story_kind,
            "duplicate_of": duplicate_of,
        }

    def _write_tags(self, article_id: int, tags: Iterable[dict[str, Any]]) -> None:
        self.db.execute("DELETE FROM article_tags WHERE article_id = ?", [article_id])
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO tags (name, kind) VALUES (?, ?)",
            [(tag["name"], tag["kind"]) for tag in tags],
        )
        self.db.conn.executemany(
            "INSERT INTO article_tags (article_id, tag, evidence) VALUES (?, ?, ?)",
            [
                (article_id, tag["name"], json.dumps(tag["evidence"], ensure_ascii=False))
                for tag in tags
            ],
        )
        # Indexed for search (a no-op when the row was just written with them).
        terms = tag_terms(tag["name"] for tag in tags)
        self.db.execute(
            f"UPDATE articles SET {TAG_TERMS} = ? WHERE id = ? AND {TAG_TERMS} IS NOT ?",
            [terms, article_id, terms],
        )

    def sync_tags(self, tags: dict[str, str]) -> None:
        """Record the lexicon's canonical tags and their kinds."""
        with self.db.atomic():
            self.db["tags"].upsert_all(
                [{"name": name, "kind": kind} for name, kind in tags.items()], pk="name"
            )

    # ------------------------------------------------------------------ retagging

    def iter_article_batches(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """All articles in id order, `size` at a time, with their current tag names."""
        last = 0
        while True:
            rows = list(
                self.db.query(
                    "SELECT a.id, a.url, a.title, a.summary, a.body, a.language, a.status,"
                    " (SELECT json_group_array(tag) FROM"
                    "   (SELECT tag FROM article_tags WHERE article_id = a.id ORDER BY tag)"
                    " ) AS tags"
                    " FROM articles a WHERE a.id > ? ORDER BY a.id LIMIT ?",
                    [last, size],
                )
            )
            if not rows:
                return
            yield rows
            last = rows[-1]["id"]

    def update_verdicts(self, verdicts: Iterable[tuple[int, float, str, list, list]]) -> None:
        """Rewrite relevance, status, reasons and tags of many articles in one transaction."""
        with self.db.atomic():
            for article_id, relevance, status, reasons, tags in verdicts:
                self.db.execute(
                    "UPDATE articles SET relevance = ?, status = ?, reasons = ? WHERE id = ?",
                    [relevance, status, json.dumps(reasons, ensure_ascii=False), article_id],
                )
                self._write_tags(article_id, tags)

    # ------------------------------------------------------------------ reading

    def story_of(self, url: str) -> int | None:
        """The story of the stored article at `url`."""
        row = self.db.execute("SELECT story_id FROM articles WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def get_article(self, url: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE url = ?", [url]))
        return rows[0] if rows else None

    def iter_articles(self, run_id: int | None = None) -> Iterator[dict[str, Any]]:
        if run_id is None:
            yield from self.db.query("SELECT * FROM articles ORDER BY id")
        else:
            yield from self.db.query(
                "SELECT * FROM articles WHERE run_id = ? ORDER BY id", [run_id]
            )

    def count(self, table: str) -> int:
        return self.db[table].count
