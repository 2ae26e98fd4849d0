"""The command line: every command documented, configuration precedence, extract."""

from __future__ import annotations

import gzip
import json

from newswatch import Options, build_parser
from tests.conftest import FIXTURES, REPO, run_newswatch


def commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(subparsers.choices)


def test_every_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in commands():
        assert f"`newswatch {command}" in readme, command


def test_every_command_has_help_with_an_example():
    for command in commands():
        result = run_newswatch(command, "--help")
        assert result.returncode == 0
        assert "Example:" in result.stdout, command


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
