"""Turn what an analyst types into an FTS5 query.

FTS5 reads `-` as NOT-ish syntax and `:` as a column filter, so `S-400`, `India-Russia`
or `Su-30MKI` typed bare are errors or wrong matches. Each bare word holding anything
but letters, digits and marks becomes a quoted phrase ("S-400" is the phrase S 400, as
indexed); the user's own FTS syntax — "quoted phrases", OR/AND/NOT, NEAR(…), prefix*,
(groups) and column:word filters — passes through untouched.
"""

from __future__ import annotations

import re

OPERATORS = {"AND", "OR", "NOT"}
COLUMNS = ("title", "summary", "body")
# A quoted phrase (possibly unterminated: FTS5 then reports it), a bracket or comma, or
# a run of anything else up to whitespace.
_TOKEN = re.compile(r'"[^"]*"?\*?|[(),]|[^\s()",]+')
_COLUMN = re.compile(rf"^({'|'.join(COLUMNS)}):(.*)$", re.IGNORECASE)


def _is_bare(word: str) -> bool:
    """FTS5 barewords: letters, digits, marks (any script) and underscore."""
    return all(ch.isalnum() or ch == "_" or (ord(ch) > 127 and not ch.isspace()) for ch in word)


def _is_syntax(token: str, following: str) -> bool:
    """The user's own FTS5 syntax: phrases, brackets, operators, NEAR groups."""
    return (
        token.startswith('"')
        or token in ("(", ")", ",")
        or token in OPERATORS
        or (token == "NEAR" and following == "(")
    )


def _word(word: str) -> str:
    prefix = word.endswith("*")
    core = word.rstrip("*")
    if not core:
        return word  # a lone `*`: FTS5 reports the syntax error
    quoted = core if _is_bare(core) else '"' + core.replace('"', '""') + '"'
    return quoted + ("*" if prefix else "")


def to_fts(query: str) -> str:
    """The FTS5 MATCH expression for what the user typed."""
    parts = []
    tokens = _TOKEN.findall(query)
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _is_syntax(token, following):
            parts.append(token)
        elif match := _COLUMN.match(token):
            column, rest = match.groups()
            parts.append(f"{column.lower()}:" + (_word(rest) if rest else ""))
        else:
            parts.append(_word(token))
    return " ".join(parts).replace("NEAR (", "NEAR(")
