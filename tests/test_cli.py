"""The command line: every command documented, configuration precedence, extract."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys

import pytest

from newswatch import Options, build_parser
from tests.analyst_data import build
from tests.conftest import FIXTURES, REPO, run_newswatch
from tests.test_kills import RESTORE_CTRL_C


def commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(subparsers.choices)


def test_every_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in commands():
        assert f"`newswatch {command}" in readme, command


def test_every_command_has_help_with_an_example(capsys):
    for command in commands():
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([command, "--help"])
        assert exit_.value.code == 0
        assert "Example:" in capsys.readouterr().out, command


def test_flags_override_the_config_file_which_overrides_defaults(tmp_path):
    config = tmp_path / "newswatch.toml"
    config.write_text(
        'db = "from-config.db"\nreport_dir = "config-reports"\n'
        "[settings]\nDOWNLOAD_TIMEOUT = 5\nRETRY_TIMES = 1\n"
    )
    parser = build_parser()
    args = parser.parse_args(["run", "--config", str(config), "-s", "RETRY_TIMES=4"])
    options = Options(args)
    assert str(options.db) == "from-config.db"
    assert str(options.report_dir) == "config-reports"
    assert options.settings == {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 4}
    args = parser.parse_args(["run", "--config", str(config), "--db", "flag.db"])
    assert str(Options(args).db) == "flag.db"
    assert str(Options(parser.parse_args(["run"])).db) == "data/newswatch.db"


def test_extract_prints_one_json_line_per_file(tmp_path):
    page = (FIXTURES / "site" / "articles" / "s400-second-squadron.html").read_bytes()
    page = page.replace(b"{{BASE}}", b"https://daily.example")
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page))
    result = run_newswatch("extract", str(gz), str(tmp_path / "missing.html"))
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    fields = json.loads(line)
    assert fields["canonical_url"] == "https://daily.example/articles/s400-second-squadron.html"
    assert fields["title"] == "Second S-400 squadron arrives in Punjab"
    assert fields["path"] == str(gz)
    assert "missing.html" in result.stderr


def options_of(command: str) -> set[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return {flag for a in subparsers.choices[command]._actions for flag in a.option_strings}


def test_each_command_lists_only_the_options_it_uses():
    assert options_of("extract") == {"-h", "--help", "--url", "--source", "--sources"}
    assert options_of("cluster") == {"-h", "--help", "--db"}
    assert "-s" not in options_of("search") and "--sources" not in options_of("export")
    assert {"--sources", "--lexicon", "-s"} <= options_of("crawl")
    for command in ("search", "stories", "export", "sources"):
        assert "--format" in options_of(command), command


def test_options_are_never_abbreviated():
    # `stories` has no --sources: `--source` must not be stretched into it elsewhere.
    result = run_newswatch("sources", "--source", "TASS")
    assert result.returncode == 2 and "unrecognized arguments: --source" in result.stderr
    result = run_newswatch("search", "--lim", "3", "x")
    assert result.returncode == 2 and "--lim" in result.stderr


def test_version():
    result = run_newswatch("--version")
    assert result.returncode == 0 and result.stdout.startswith("newswatch ")


def test_one_format_grammar(tmp_path):
    db = build(tmp_path / "analyst.db")
    as_array = run_newswatch("stories", "--db", str(db), "--format", "json")
    as_lines = run_newswatch("stories", "--db", str(db), "--format", "jsonl")
    assert json.loads(as_array.stdout) == [
        json.loads(line) for line in as_lines.stdout.splitlines()
    ]
    sheet = run_newswatch("sources", "--db", str(db), "--format", "csv")
    assert sheet.returncode == 0 and sheet.stdout.splitlines()[0] == "name,kind,state,error"


def test_stories_filters_by_tag_source_and_publication_date(tmp_path):
    db = build(tmp_path / "analyst.db")

    def story_titles(*flags: str) -> list[str]:
        result = run_newswatch("stories", "--db", str(db), "--format", "jsonl", *flags)
        assert result.returncode == 0, result.stderr
        return [json.loads(line)["title"] for line in result.stdout.splitlines()]

    everything = story_titles()
    assert "Second S-400 squadron arrives in Punjab" in everything
    assert "S-400 of runs: a cricket record" not in everything  # retagged irrelevant
    s400 = story_titles("--tag", "s-400")  # any case
    assert set(s400) == {
        "Second S-400 squadron arrives in Punjab",
        "Россия завершит поставки С-400 «Триумф» Индии",
    }
    assert story_titles("--source", "tass") == ["Россия завершит поставки С-400 «Триумф» Индии"]
    assert set(story_titles("--since", "2025-11-06")) == {
        "Su-30MKI upgrade cleared",
        "ब्रह्मोस मिसाइल का नया परीक्षण",
    }
    assert story_titles("--until", "2025-11-02") == ["Second S-400 squadron arrives in Punjab"]
    assert len(story_titles("--limit", "1")) == 1
    unknown = run_newswatch("stories", "--db", str(db), "--tag", "S400x")
    assert unknown.returncode == 2 and "'S-400'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_a_closed_pipe_ends_quietly(tmp_path):
    db = build(tmp_path / "analyst.db")
    script = (
        f"{sys.executable} -m newswatch stories --db {db} --format jsonl | head -c 1 >/dev/null;"
        " echo ${PIPESTATUS[0]}"
    )
    result = subprocess.run(
        ["bash", "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.stdout.strip() in ("0", "141")


def test_export_into_a_missing_folder_is_one_line(tmp_path):
    db = build(tmp_path / "analyst.db")
    result = run_newswatch("export", "--db", str(db), "--out", str(tmp_path / "no" / "x.csv"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newswatch export: --out {tmp_path / 'no' / 'x.csv'}: folder {tmp_path / 'no'} "
        "does not exist"
    ]


def one_line_exit_2(result, *needles: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in line, line


def test_bad_paths_are_one_line_before_any_work(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all")
    db = str(tmp_path / "news.db")
    one_line_exit_2(
        run_newswatch("run", "--sources", str(tmp_path), "--db", db), "--sources", "folder"
    )
    one_line_exit_2(run_newswatch("run", "--db", str(tmp_path)), "--db", "is a folder")
    one_line_exit_2(run_newswatch("stories", "--db", "/dev/null"), "--db", "not a regular file")
    one_line_exit_2(run_newswatch("stories", "--db", str(garbage)), "not an SQLite database")
    one_line_exit_2(
        run_newswatch("run", "--db", db, "--lexicon", str(tmp_path / "none.toml")),
        "--lexicon", "file not found",
    )  # fmt: skip
    report_file = tmp_path / "reports"
    report_file.write_text("")
    one_line_exit_2(
        run_newswatch("run", "--db", db, "--report-dir", str(report_file)), "--report-dir"
    )
    assert not (tmp_path / "news.db").exists()  # nothing started


def test_bad_config_values_name_the_key(tmp_path):
    def with_config(text: str):
        config = tmp_path / "newswatch.toml"
        config.write_text(text)
        return run_newswatch("stories", "--config", str(config))

    one_line_exit_2(with_config("db = 5\n"), "'db' = 5", "expected a file path")
    one_line_exit_2(with_config('sources = ["a.toml"]\n'), "'sources'")
    one_line_exit_2(with_config('notify = "json://hooks.example/x"\n'), "'notify'", "a list")
    one_line_exit_2(with_config("notify_empty = 1\n"), "'notify_empty'", "true or false")
    one_line_exit_2(with_config('timezone = "Mars/Olympus"\n'), "Mars/Olympus")
    one_line_exit_2(run_newswatch("stories", "--config", str(tmp_path)), "--config", "folder")


def test_ctrl_c_ends_a_command_in_one_line():
    """`newswatch classify` between two input lines, interrupted: one line, exit 130."""
    command = [sys.executable, "-c", f"{RESTORE_CTRL_C}; import newswatch; newswatch.run()"]
    command.append("classify")
    waiting = subprocess.Popen(
        command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        waiting.stdin.write(json.dumps({"id": "a", "title": "S-400", "text": "S-400"}) + "\n")
        waiting.stdin.flush()
        assert json.loads(waiting.stdout.readline())["id"] == "a"  # judged; reading on
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=30)
    finally:
        waiting.kill()
    assert (waiting.returncode, out, err) == (130, "", "newswatch classify: interrupted\n")
