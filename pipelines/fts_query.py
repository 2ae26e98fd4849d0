"""Turn what an analyst types into the FTS5 MATCH expression for the stemmed index.

`to_fts(query) -> str` is the one translation: `newswatch search` and the browser
both call it. Each word is searched as typed, in any script: a bare word is the phrase
of its tokens (`S-400` is "s 400", as indexed, so hyphenated names need no quotes),
stemmed as the index is (pipelines/stemming.py). A Latin word is asked for in every
Latin language the index stems, so `missiles` becomes ("missil" OR "<fr>missil" OR …)
and finds missile, missiles and the French, German, … articles that print it.

The user's own FTS5 syntax passes through: "quoted phrases", AND/OR/NOT, NEAR(a b, 5),
prefix* (the prefix stemmed like a word: `missiles*` is missil*), ^initial, a + b,
(groups) and column filters (title:word, -body:word, {title summary}:word). A query
FTS5 could not read, or one of more than MAX_TERMS words, is a QuerySyntaxError saying
in one line what is wrong and where: it is read here, not left to FTS5's messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.stemming import QUERY_LANGUAGES, is_word_char, stem_text

COLUMNS = ("title", "summary", "body")
# A ranked query costs time in proportion to its terms (a 1,000-word paste took a
# minute); no real question needs more.
MAX_TERMS = 64
OPERATORS = ("AND", "OR", "NOT")
# A quoted phrase ("" is a quote inside; unclosed runs to the end), a column set, a
# bracket or comma, or a run of anything else up to whitespace.
_LEXEME = re.compile(r'"(?:[^"]|"")*"?\*?|-?\{[^{}]*\}?:?|[(),]|[^\s(),"{]+')
_COLUMN_FILTER = re.compile(r"(-?)([A-Za-z_][A-Za-z0-9_]*):(?!//)(.*)", re.DOTALL)
_QUOTED = re.compile(r'"((?:[^"]|"")*)"(\*?)', re.DOTALL)


class QuerySyntaxError(ValueError):
    """A query FTS5 cannot read: the user's to fix, not a crash."""


@dataclass(frozen=True)
class _Token:
    kind: str  # word, quoted, colspec, op, near, ^, +, (, ), ","
    text: str
    at: int  # offset in the query, for messages

    def where(self) -> str:
        return f"{self.text!r} at character {self.at + 1}"


# A phrase: whether it must open its column (^), and its terms (text, prefix*) joined by +.
_Phrase = tuple[bool, list[tuple[str, bool]]]


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    lexemes = list(_LEXEME.finditer(query))
    for i, lexeme in enumerate(lexemes):
        text, at = lexeme.group(), lexeme.start()
        following = lexemes[i + 1].group() if i + 1 < len(lexemes) else ""
        if text.startswith('"'):
            if (quoted := _QUOTED.fullmatch(text)) and not _has_words(quoted.group(1)):
                continue  # "" or "—": FTS5 would AND it as a phrase that matches nothing
            tokens.append(_Token("quoted", text, at))
        elif text.lstrip("-").startswith("{"):
            tokens.append(_Token("colspec", text, at))
        elif text in ("(", ")", ","):
            tokens.append(_Token(text, text, at))
        elif text in OPERATORS:
            tokens.append(_Token("op", text, at))
        elif text == "NEAR" and following == "(":
            tokens.append(_Token("near", text, at))
        else:
            tokens += _word_tokens(text, at)
    return tokens


def _word_tokens(text: str, at: int) -> list[_Token]:
    """A bare word, split off a leading ^ or column filter; a lone + or ^ is syntax,
    and punctuation alone (`-`, `—`, `&`) is nothing."""
    if column := _COLUMN_FILTER.fullmatch(text):
        negated, name, rest = column.groups()
        head = [_Token("colspec", f"{negated}{name}:", at)]
        return head + (_word_tokens(rest, at + len(text) - len(rest)) if rest else [])
    if text in ("+", "^") or not text.strip("*"):
        return [_Token(text[0], text, at)]
    if text.startswith("^"):
        return [_Token("^", "^", at), *_word_tokens(text[1:], at + 1)]
    return [_Token("word", text, at)] if _has_words(text) else []


def _has_words(text: str) -> bool:
    return any(is_word_char(char) for char in text)


# What may start an operand, or is reported there ("*" on its own).
_OPERAND_STARTS = ("word", "quoted", "colspec", "near", "^", "(", "*")


class _Reader:
    """Reads the FTS5 query grammar and writes the stemmed expression as it goes:

    expr := and (OR and)*     and := not (AND not)*     not := sequence (NOT sequence)*
    sequence := unary+        unary := [colspec] (( expr ) | NEAR( phrase+ [, N] ) | phrase)
    phrase := [^] term (+ term)*          term := word[*] | "quoted"[*]
    """

    def __init__(self, query: str):
        self.tokens = _lex(query)
        self.pos = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def read(self) -> str:
        if not self.tokens:
            raise QuerySyntaxError("there is nothing to search for")
        expression = self.expr()
        if (extra := self.peek()) is not None:
            if extra.kind == ")":
                raise QuerySyntaxError(f"')' at character {extra.at + 1} has no '(' before it")
            raise QuerySyntaxError(f"{extra.where()} belongs inside NEAR(…, distance)")
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(
                f"the query has {self.terms} terms, more than the limit of {MAX_TERMS}"
            )
        return expression

    # ------------------------------------------------------------------ operators

    def expr(self) -> str:
        return self._chain(self.conjunction, lambda t: t.kind == "op" and t.text == "OR")

    def conjunction(self) -> str:
        return self._chain(self.negation, lambda t: t.kind == "op" and t.text == "AND")

    def negation(self) -> str:
        return self._chain(self.sequence, lambda t: t.kind == "op" and t.text == "NOT")

    def sequence(self) -> str:
        """Operands side by side: an AND that binds tighter than any operator, as in
        FTS5 (`a NOT b c` is a NOT (b AND c)); written out, as FTS5 reads side by side
        only phrases, not the groups a stemmed word becomes."""
        parts = [self.unary()]
        while (token := self.peek()) is not None and token.kind in _OPERAND_STARTS:
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _chain(self, operand: Callable[[], str], is_operator: Callable[[_Token], bool]) -> str:
        expression = operand()
        while (token := self.peek()) is not None and is_operator(token):
            self.take()
            expression += f" {token.text} {self._operand(token, operand)}"
        return expression

    def _operand(self, operator: _Token, operand: Callable[[], str]) -> str:
        token = self.peek()
        if token is None or token.kind in ("op", ")", ","):
            raise QuerySyntaxError(f"{operator.where()} needs a term after it")
        return operand()

    # ------------------------------------------------------------------ operands

    def unary(self) -> str:
        token = self.peek()
        if token is None:  # only after an operator, which reports it
            raise QuerySyntaxError("the query ends too early")
        if token.kind == "op":
            raise QuerySyntaxError(f"{token.where()} needs a term before it")
        if token.kind == ")":
            raise QuerySyntaxError(f"')' at character {token.at + 1} has no '(' before it")
        if token.kind == ",":
            raise QuerySyntaxError(f"{token.where()} belongs inside NEAR(…, distance)")
        if token.kind == "+":
            raise QuerySyntaxError(f"{token.where()} needs a word before it")
        if token.kind == "*":
            raise QuerySyntaxError(f"{token.where()} must follow a word directly, as in missil*")
        if token.kind != "colspec":
            return self.primary()
        spec = self._columns(self.take())
        following = self.peek()
        if following is None or following.kind in ("op", ")", ",", "colspec"):
            raise QuerySyntaxError(f"{token.where()} needs a word after it")
        return spec + self.primary()

    def primary(self) -> str:
        token = self.peek()
        assert token is not None
        if token.kind == "(":
            self.take()
            if (inner := self.peek()) is None:
                raise QuerySyntaxError(f"'(' at character {token.at + 1} is never closed")
            if inner.kind == ")":
                raise QuerySyntaxError(f"'()' at character {token.at + 1} is empty")
            expression = self.expr()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QuerySyntaxError(f"'(' at character {token.at + 1} is never closed")
            self.take()
            return f"({expression})"
        if token.kind == "near":
            return self.near()
        phrase = self.phrase()
        return _alternatives(lambda language: _render(phrase, language))

    def near(self) -> str:
        start = self.take()
        self.take()  # the (
        phrases: list[_Phrase] = []
        distance = ""
        while True:
            token = self.peek()
            if token is None:
                raise QuerySyntaxError(f"'NEAR(' at character {start.at + 1} is never closed")
            if token.kind == ")":
                break
            if token.kind == ",":
                self.take()
                distance = self._distance(start)
                break
            if token.kind not in ("word", "quoted", "^", "+"):
                raise QuerySyntaxError(f"{token.where()}: NEAR(…) holds words and phrases only")
            if token.kind == "^":
                raise QuerySyntaxError(f"{token.where()}: '^' cannot be used inside NEAR(…)")
            phrases.append(self.phrase())
        closing = self.peek()
        if closing is not None and closing.kind == ",":
            raise QuerySyntaxError(f"{closing.where()}: NEAR(…, distance) has one distance")
        if closing is None or closing.kind != ")":
            raise QuerySyntaxError(f"'NEAR(' at character {start.at + 1} is never closed")
        self.take()
        if not phrases:
            raise QuerySyntaxError(f"'NEAR(' at character {start.at + 1} holds no words")
        return _alternatives(
            lambda language: (
                "NEAR("
                + " ".join(_render(p, language) for p in phrases)
                + (f", {distance}" if distance else "")
                + ")"
            )
        )

    def _distance(self, near: _Token) -> str:
        token = self.peek()
        if token is None or token.kind == ")":
            raise QuerySyntaxError(f"'NEAR(' at character {near.at + 1} needs a distance after ','")
        self.take()
        if token.kind != "word" or not token.text.isascii() or not token.text.isdigit():
            raise QuerySyntaxError(
                f"NEAR distance at character {token.at + 1} must be a whole number, "
                f"not {token.text!r}"
            )
        return token.text

    def phrase(self) -> _Phrase:
        initial = False
        if (token := self.peek()) is not None and token.kind == "^":
            self.take()
            initial = True
        terms = [self.term()]
        while (token := self.peek()) is not None and token.kind == "+":
            self.take()
            if (following := self.peek()) is None or following.kind not in ("word", "quoted"):
                raise QuerySyntaxError(f"{token.where()} needs a word after it")
            terms.append(self.term())
        return initial, terms

    def term(self) -> tuple[str, bool]:
        token = self.peek()
        if token is None or token.kind not in ("word", "quoted"):
            where = token.where() if token else "the end"
            raise QuerySyntaxError(f"a word must follow '^', not {where}")
        self.take()
        if token.kind == "quoted":
            quoted = _QUOTED.fullmatch(token.text)
            if quoted is None:
                raise QuerySyntaxError(f"the quote at character {token.at + 1} is never closed")
            text, prefix = quoted.group(1).replace('""', '"'), bool(quoted.group(2))
        else:
            prefix = token.text.endswith("*")
            text = token.text[:-1] if prefix else token.text
            if text.endswith("*"):
                raise QuerySyntaxError(f"{token.where()}: one '*' ends a prefix, as in missil*")
        self.terms += _token_count(text)
        return text, prefix

    def _columns(self, token: _Token) -> str:
        text = token.text
        negated = "-" if text.startswith("-") else ""
        body = text.lstrip("-")
        if body.startswith("{"):
            if "}" not in body:
                raise QuerySyntaxError(f"{token.where()}: '{{' is never closed with '}}'")
            if not body.endswith(":"):
                raise QuerySyntaxError(f"{token.where()} needs a ':' after it")
            names = body[1:-2].split()
        else:
            names = [body[:-1]]
        for name in names:
            if name.lower() not in COLUMNS:
                raise QuerySyntaxError(
                    f"no column {name!r} at character {token.at + 1}"
                    f" (columns: {', '.join(COLUMNS)})"
                )
        spec = " ".join(name.lower() for name in names)
        return f"{negated}{{{spec}}}:" if body.startswith("{") else f"{negated}{spec}:"


def _token_count(text: str) -> int:
    """How many FTS5 tokens `text` holds: runs of letters, digits, marks (any script)."""
    return sum(
        1
        for current, previous in zip(text, " " + text, strict=False)
        if is_word_char(current) and not is_word_char(previous)
    )


def _render(phrase: _Phrase, language: str) -> str:
    """One phrase as FTS5 reads it, stemmed for `language`."""
    initial, terms = phrase
    rendered = " + ".join(
        '"' + (stem_text(text, language) or "").replace('"', '""') + '"' + ("*" if prefix else "")
        for text, prefix in terms
    )
    return ("^" if initial else "") + rendered


def _alternatives(render: Callable[[str], str]) -> str:
    """One operand in each query language, the distinct ones ORed."""
    variants = list(dict.fromkeys(render(language) for language in QUERY_LANGUAGES))
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def to_fts(query: str) -> str:
    """The FTS5 MATCH expression over the stemmed index for what the user typed;
    QuerySyntaxError, in one line, when it cannot be read."""
    return _Reader(query).read()
