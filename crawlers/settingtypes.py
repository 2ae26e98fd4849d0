"""Check Scrapy setting overrides before Scrapy sees them, and pass them on losslessly.

Overrides come as strings from `-s NAME=VALUE` flags and as typed values from a TOML
config's `[settings]` table. `check_settings` converts both to the type Scrapy expects, or
raises a `SettingError` whose one-line message names the setting, the value, the expected
type and where the value came from, instead of a traceback from deep inside Scrapy:

    -s DOWNLOAD_TIMEOUT='abc': expected a number
    -s DOWNLOAD_TIMOUT='5': unknown setting (did you mean DOWNLOAD_TIMEOUT?)

A setting's expected type is that of its default: the project's (`crawlers/settings.py`)
over Scrapy's (`scrapy.settings.default_settings`), with two corrections for what Scrapy
actually reads: names ending in `_ENABLED` are booleans (Scrapy's TELNETCONSOLE_ENABLED
defaults to the int 1), and a few int defaults Scrapy reads with `getfloat` take any number.

`settings_args` turns checked values back into `-s NAME=VALUE` arguments for a child
process; `check_settings` on those strings gives back the same values (see its docstring
for the one exception).
"""

from __future__ import annotations

import difflib
import importlib
import json
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

PROJECT_SETTINGS = "crawlers.settings"
SCRAPY_SETTINGS = "scrapy.settings.default_settings"

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})

# Int defaults that Scrapy reads with getfloat: fractions are meaningful there.
_READ_AS_FLOAT = frozenset({"DOWNLOAD_TIMEOUT", "DNS_TIMEOUT", "DOWNLOAD_DELAY"})
# Setting values shown in error messages are masked when the name looks like a credential.
_SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|AUTH|CREDENTIAL", re.IGNORECASE)
_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_PLAIN_NAME = re.compile(r"[\w.-]+")
_SHOWN_MAX = 60

_EXPECTED = {
    "bool": "a boolean (true/false, 1/0, yes/no, on/off)",
    "int": "an integer",
    "float": "a number",
    "list": "a list (a TOML list, a JSON list or comma-separated values) of plain values",
    "codes": "a list of integer codes (a TOML list, a JSON list or comma-separated integers)",
    "dict": "a table (a TOML table or a JSON object)",
    "str": "a string",
}


class SettingError(ValueError):
    """A setting override that is unknown or of the wrong type; the message is one line."""


def check_settings(values: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """`values` converted to the types Scrapy expects; `origin` ("-s", "newswatch.toml
    [settings]") only goes into error messages. Raises SettingError on the first bad one.

    - bool: a bool, the ints 0/1, or true/false/1/0/yes/no/on/off in any case.
    - int: an int or an integer string; a float (even 5.0) is an error.
    - float: any finite number, or a string of one.
    - list: a TOML list, a JSON list string, or a comma-separated string split as Scrapy's
      getlist does (items stripped of surrounding spaces, empty items dropped); items must be
      plain scalars, and integers (or integer strings) for names ending in `_CODES`.
    - dict: a TOML table or a JSON object string.
    - str: a string; a TOML number is converted to its text.
    - default None (type unknown): any value, kept as given.

    Round trip: `check_settings(dict(parse(settings_args(v))), "-s") == v` for every checked
    `v`, except that a non-string value of a setting whose default is None comes back as
    the JSON text `settings_args` gave it (which Scrapy's getters read as the same value).
    """
    checked = {}
    for name, value in values.items():
        kind = _kind(name)
        if kind is None:
            raise SettingError(f"{_where(origin, name, value)}: unknown setting{_hint(name)}")
        try:
            checked[name] = _CONVERT[kind](value)
        except (TypeError, ValueError, OverflowError, RecursionError):
            raise SettingError(
                f"{_where(origin, name, value)}: expected {_EXPECTED[kind]}"
            ) from None
    return checked


def setting_text(value: Any) -> str:
    """The `-s` text of a checked value: bools as true/false, numbers as Python writes them
    (floats exactly), strings as they are, lists and dicts as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def settings_args(values: Mapping[str, Any]) -> list[str]:
    """`["-s", "NAME=VALUE", ...]` for checked values, to pass them to a child process."""
    args = []
    for name, value in values.items():
        args += ["-s", f"{name}={setting_text(value)}"]
    return args


def known_settings() -> dict[str, Any]:
    """Every known setting's default: the project's over Scrapy's."""
    return dict(_defaults())


# --- kinds


@cache
def _defaults() -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for module_name in (SCRAPY_SETTINGS, PROJECT_SETTINGS):
        module = importlib.import_module(module_name)
        defaults.update(
            {name: getattr(module, name) for name in vars(module) if _NAME.fullmatch(name)}
        )
    return defaults


def _kind(name: str) -> str | None:
    defaults = _defaults()
    if name not in defaults:
        return None
    default = defaults[name]
    if isinstance(default, bool) or name.endswith("_ENABLED"):
        return "bool"
    if name in _READ_AS_FLOAT or isinstance(default, float):
        return "float"
    if isinstance(default, int):
        return "int"
    if isinstance(default, list | tuple):
        return "codes" if name.endswith("_CODES") else "list"
    if isinstance(default, dict):
        return "dict"
    if isinstance(default, str):
        return "str"
    return "any"  # None or anything unusual: no type to check against


def _hint(name: str) -> str:
    """` (did you mean X?)` with the known names nearest to `name`, if any are near."""
    wanted = name.upper()
    ratios = {
        known: difflib.SequenceMatcher(None, wanted, known).ratio()
        for known in difflib.get_close_matches(wanted, list(_defaults()), n=3)
    }
    if not ratios:
        return ""
    best = max(ratios.values())
    close = [known for known, ratio in ratios.items() if ratio >= best - 0.1]
    return f" (did you mean {' or '.join(close)}?)"


# --- conversions: each raises ValueError or TypeError for a bad value


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    return int(value)  # int("2.5") raises: a float is an error


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(value)


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            return [item.strip() for item in text.split(",") if item.strip()]
    if not isinstance(value, list | tuple):
        raise TypeError(value)
    if not all(_is_scalar(item) for item in value):
        raise TypeError(value)
    return list(value)


def _to_codes(value: Any) -> list[int]:
    return [_to_int(item) for item in _to_list(value)]


def _to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, Mapping) or not _is_plain(value):
        raise TypeError(value)
    return dict(value)


def _as_given(value: Any) -> Any:
    return value


_CONVERT = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "list": _to_list,
    "codes": _to_codes,
    "dict": _to_dict,
    "str": _to_str,
    "any": _as_given,
}


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float)  # bool is an int


def _is_plain(value: Any) -> bool:
    """JSON-representable, so that a dict survives the trip through `-s`."""
    if value is None or _is_scalar(value):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _is_plain(item) for key, item in value.items())
    return False


# --- messages


def _where(origin: str, name: str, value: Any) -> str:
    """`ORIGIN NAME=VALUE` on one line, the value masked when the name looks secret."""
    shown_name = name if _PLAIN_NAME.fullmatch(name) else repr(name)
    if _SECRET_NAME.search(name):
        return f"{origin} {shown_name}=****"
    return f"{origin} {shown_name}={_shown(value)}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"
