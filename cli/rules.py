"""Commands that apply the rules to texts: extract, classify, retag, cluster, recluster."""

from __future__ import annotations

import argparse
import json
import sys

from cli.options import (
    EXIT_FAILURES,
    EXIT_OK,
    Options,
    add_config,
    add_db,
    add_lexicon,
    add_sources,
    iso_date,
)
from pipelines.store import Store


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract article fields from saved pages: one JSON line per file, with --source as
    the crawl would for that source (its extract overrides and time zone)."""
    from crawlers.extract import extract_file
    from crawlers.sources import select_sources

    source = None
    if args.source:
        (source,) = select_sources(Options(args).sources(), [args.source])
    status = EXIT_OK
    for path in args.paths:
        try:
            fields = extract_file(
                path,
                url=args.url,
                tz=source.timezone if source else None,
                overrides=source.extract if source else None,
            )
        except OSError as exc:
            print(f"newswatch extract: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_FAILURES
            continue
        print(json.dumps(fields, ensure_ascii=False))
    return status


def cmd_classify(args: argparse.Namespace) -> int:
    """Judge JSON Lines documents from stdin, as the pipeline would."""
    from pipelines.topic import classify_lines

    bad = classify_lines(sys.stdin, sys.stdout, sys.stderr, Options(args).classifier())
    return EXIT_FAILURES if bad else EXIT_OK


def cmd_retag(args: argparse.Namespace) -> int:
    """Re-apply the current lexicon and rules to every stored article."""
    from pipelines.progress import progress
    from pipelines.retag import retag

    options = Options(args, writes=True)
    classifier = options.classifier()
    with options.store() as store, progress(store.count("articles"), "retagging") as advance:
        result = retag(store, classifier, batch_size=args.batch, progress=advance)
    print(
        f"{result.articles} articles retagged: {result.changed} changed "
        f"({result.status_changed} status, {result.tags_changed} tags)"
    )
    for tag in sorted(result.gained.keys() | result.lost.keys()):
        print(f"  {tag}: +{result.gained[tag]} -{result.lost[tag]}")
    return EXIT_OK


def cmd_cluster(args: argparse.Namespace) -> int:
    """Assign JSON Lines documents from stdin to stories, as the pipeline would."""
    from pipelines.stories import StoryClusterer, cluster_lines

    if args.db is None:
        bad = cluster_lines(sys.stdin, sys.stdout, sys.stderr, StoryClusterer())
    else:
        options = Options(args, writes=True)
        with Store(options.db) as store:
            ensure_story_rules(store, options)  # never match against stories of other rules
            with store.transaction():
                clusterer = StoryClusterer(store.story_store())
                bad = cluster_lines(sys.stdin, sys.stdout, sys.stderr, clusterer)
    return EXIT_FAILURES if bad else EXIT_OK


def cmd_recluster(args: argparse.Namespace) -> int:
    """Rebuild story assignments over the archive with the current rules."""
    since = iso_date(args.since, "--since")
    options = Options(args, writes=True)
    with options.store() as store:
        result = rebuild_stories(store, options, since=since)
    print(
        f"{result.articles} articles in {result.stories} stories: {result.split} stories "
        f"split, {result.merged} merged, {result.retired} kept only as aliases"
    )
    return EXIT_OK


def ensure_story_rules(store: Store, options: Options) -> None:
    """Rebuild the story index first when it was built by other rules (a new release, or
    another lexicon), so new articles are never matched against stale stories."""
    from pipelines.lexicon import file_digest
    from pipelines.recluster import needs_recluster
    from pipelines.story_model import default_model, rules_version
    from pipelines.theme_model import default_model as default_theme_model

    # The operator's own lexicon is parsed here, so a mistake in it stops the run; the
    # shipped one is named by its file's bytes, unparsed (a no-op run never parses it).
    lexicon_digest = options.lexicon().digest if options.lexicon_file else file_digest()
    rules = rules_version(default_model(), lexicon_digest, default_theme_model().digest)
    if needs_recluster(store, rules):
        print("story rules changed: rebuilding the story index first", file=sys.stderr)
        result = rebuild_stories(store, options)
        print(
            f"stories rebuilt: {result.articles} articles, {result.split} split, "
            f"{result.merged} merged",
            file=sys.stderr,
        )


def rebuild_stories(store: Store, options: Options, since: str | None = None):
    """Replay the archive through the story matcher, with a progress bar."""
    from pipelines.evidence import EvidenceReader
    from pipelines.progress import progress
    from pipelines.recluster import recluster, replayed_since
    from pipelines.stories import StoryClusterer

    reader = EvidenceReader(options.classifier())
    rules = StoryClusterer(store.story_store(), reader=reader).rules_version
    start = replayed_since(store, rules, since)
    if since and start is None:
        print(
            f"story rules changed since the index was built: replaying every article, "
            f"not only those since {since}",
            file=sys.stderr,
        )
    total = len(store.clustering_order(start))
    with progress(total, "reclustering") as advance:
        return recluster(
            store,
            lambda index: StoryClusterer(index, reader=reader),
            since=start,
            progress=advance,
        )


def register(commands: argparse._SubParsersAction) -> None:
    extract = commands.add_parser(
        "extract",
        help="extract article fields from saved HTML pages",
        description="Print the fields newswatch extracts from saved pages (.html or .html.gz), "
        "one JSON object per line; with --source, as the crawl extracts that source's pages "
        "(the [source.extract] overrides of its entry in the sources file, its time zone). "
        "Example: newswatch extract page.html.gz --source 'The Hindu' --url https://...",
    )
    extract.add_argument("paths", nargs="+", metavar="PATH")
    extract.add_argument("--url", help="the page's address (default: its canonical URL)")
    extract.add_argument("--source", metavar="NAME", help="extract as for this source")
    add_sources(extract)
    extract.set_defaults(func=cmd_extract)

    classify = commands.add_parser(
        "classify",
        help="judge relevance and tags of JSON Lines documents on stdin",
        description="Read JSON Lines {id, title, text[, summary, url, lang]} on stdin and "
        "write {id, relevant, score, status, tags, reasons} per line: how to try a lexicon "
        "change before applying it. Malformed lines are reported on stderr and skipped. "
        "Example: newswatch classify --lexicon my-lexicon.toml < docs.jsonl",
    )
    add_config(classify)
    add_lexicon(classify)
    classify.set_defaults(func=cmd_classify)

    retag = commands.add_parser(
        "retag",
        help="re-apply the lexicon and the theme model to every stored article",
        description="Classify every stored article again (one transaction per batch, with a "
        "progress bar) and report how many changed status or tags, and per tag how many "
        "articles gained or lost it. Example: newswatch retag --db data/newswatch.db",
    )
    add_db(retag)
    add_lexicon(retag)
    retag.add_argument("--batch", type=int, default=500, help="articles per transaction")
    retag.set_defaults(func=cmd_retag)

    cluster = commands.add_parser(
        "cluster",
        help="assign JSON Lines documents on stdin to stories",
        description="Read JSON Lines {id, title, text[, url, published]} on stdin and print "
        "{id, story} per line, with the pipeline's own code: a fresh in-memory index, or the "
        "database's when --db is given (which then remembers the documents). "
        "Example: newswatch cluster < docs.jsonl",
    )
    cluster.add_argument("--db", help="match against this database's stories (default: none)")
    cluster.set_defaults(func=cmd_cluster)

    recluster = commands.add_parser(
        "recluster",
        help="rebuild story assignments over the archive with the current rules",
        description="Replay every stored article (or those published since --since) through "
        "the story matcher in publication order and store their new stories, with a progress "
        "bar; prints how many stories split and merged. Stories keep their ids where their "
        "first article leads them again; the others stay as aliases. A crawl does this by "
        "itself when the rules changed. Example: newswatch recluster --since 2025-01-01",
    )
    add_db(recluster)
    add_lexicon(recluster)
    recluster.add_argument("--since", help="only articles published on or after this date")
    recluster.set_defaults(func=cmd_recluster)
