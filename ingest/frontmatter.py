"""Front matter (YAML between ``---`` lines, TOML between ``+++`` lines as Hugo writes it, or a
JSON object) and YAML with line numbers."""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from ingest.errors import KnowledgeFileError


class LineDict(dict):
    """A mapping loaded from YAML that remembers where it and each of its keys stood."""

    line: int = 0
    key_lines: dict


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {loader.construct_object(k, deep=True): k.start_mark.line + 1 for k, _ in node.value}
    return mapping


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode):
    # PyYAML raises a bare ValueError for 2026-02-30; keep the text instead, so the
    # schema reports "not a date" at the field's line rather than the ingest crashing.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(text: str, source: str, first_line: int = 1):
    """Parse YAML; mappings come back as LineDict with 1-based line numbers in the file."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KnowledgeFileError(
            source, f"not valid YAML: {problem}", "fix the YAML (check indentation, colons and quotes)", line
        ) from None
    _shift_lines(data, first_line - 1)
    return data


def _shift_lines(data, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    for child in children:
        _shift_lines(child, offset)


_JSON_KEY = re.compile(r'"([^"\\]+)"\s*:')
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
# JSON front matter opens with an object, ``{`` then a quoted key (or ``}``); a Liquid tag
# (``{% include … %}``) or expression (``{{ … }}``) at the top of a Jekyll page is not one.
_JSON_START = re.compile(r'\s*\{\s*(?:"|\})')


def split_front_matter(text: str, source: str) -> tuple[dict, dict[str, int], str, int]:
    """Return (fields, line of each field, body, line where the body starts)."""
    lines = text.split("\n")
    blank = 0
    while blank < len(lines) and not lines[blank].strip():
        blank += 1  # editors leave blank lines above front matter; it is still front matter
    if blank < len(lines) and lines[blank].strip() == "---" and blank:
        fields, key_lines, body, body_line = split_front_matter("\n".join(lines[blank:]), source)
        return fields, {k: v + blank for k, v in key_lines.items()}, body, body_line + blank
    if lines and lines[0].strip() == "---":
        for close, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                break
        else:
            raise KnowledgeFileError(
                source, "front matter opens with --- but never closes", "add a line with --- after the last field", 1
            )
        data = load_yaml("\n".join(lines[1:close]), source, first_line=2)
        if data is None:
            data = LineDict()
            data.key_lines = {}
        if not isinstance(data, dict):
            raise KnowledgeFileError(
                source, "front matter is not a list of key: value fields", "write one field per line, like title: Cards", 2
            )
        return dict(data), data.key_lines, "\n".join(lines[close + 1 :]), close + 2
    if lines and lines[0].strip() == "+++":
        return _toml_front_matter(lines, source)
    if _JSON_START.match(text):
        start = len(text) - len(text.lstrip())
        try:
            data, end = json.JSONDecoder().raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise KnowledgeFileError(
                source, f"JSON front matter is not valid: {exc.msg}", "fix the JSON (quotes, commas, braces)", exc.lineno
            ) from None
        head = text[:end].split("\n")
        key_lines: dict[str, int] = {}
        for number, line in enumerate(head, start=1):
            for match in _JSON_KEY.finditer(line):
                if match.group(1) in data:
                    key_lines.setdefault(match.group(1), number)
        return data, key_lines, text[end:].lstrip(" \t").removeprefix("\n"), len(head) + 1
    return {}, {}, text, 1


def _toml_front_matter(lines: list[str], source: str) -> tuple[dict, dict[str, int], str, int]:
    for close, line in enumerate(lines[1:], start=1):
        if line.strip() == "+++":
            break
    else:
        raise KnowledgeFileError(
            source, "front matter opens with +++ but never closes", "add a line with +++ after the last field", 1
        )
    try:
        data = tomllib.loads("\n".join(lines[1:close]))
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise KnowledgeFileError(
            source, f"TOML front matter is not valid: {str(exc).split(' (at')[0]}",
            "fix the TOML (key = \"value\", one per line)", 1 + int(match.group(1)) if match else 1,
        ) from None
    key_lines: dict[str, int] = {}
    for number, line in enumerate(lines[1:close], start=2):
        if (match := _TOML_KEY.match(line)) and match.group(1) in data:
            key_lines.setdefault(match.group(1), number)
    return data, key_lines, "\n".join(lines[close + 1 :]), close + 2
