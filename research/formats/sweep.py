"""How Beacon's ingest reads documentation nobody here wrote: a sweep over public docs on this machine.

    .venv/bin/python -m research.formats.sweep                     # the two tables
    .venv/bin/python -m research.formats.sweep --examples 3        # and 3 examples per category
    .venv/bin/python -m research.formats.sweep --source cmake-rst --category rst_role --examples 20

Each source is a folder of real documents (npm's and Node's Markdown, CMake's Sphinx reStructuredText,
awscli's examples, HTML manuals, two PDFs, the long descriptions of the venv's packages). A deterministic
sample of each (sorted paths, every k-th, at most ``PER_SOURCE``) goes through ``ingest.folder.chunk_file``
with default settings, and the outcome, the title, the section paths and the chunk text are checked for
markup a reader should not see. The files are read where they are; package long descriptions are written
to ``/tmp/sweep-metadata`` (outside the repository) because ingest reads files.

The regexes are a first pass, not a verdict: code is legitimately full of ``<``, ``{{`` and ``|``. Fenced
code (chunks keep code between ``` fences) is removed before the leak checks; inline code is not marked in
chunk text (the loaders drop its backticks), so a literal in inline code still matches and must be judged
by reading the examples. Structural checks sit beside the regexes: code blocks split across chunks
(an unclosed fence, indentation and blank lines lost), a permalink left on headings, an in-page table of
contents kept, a site name after the page title, redirect stubs indexed. Words kept is the share of the
source's words (a multiset of letter words; tags, URLs and front matter removed) found in the title,
section paths and chunk texts.
"""

from __future__ import annotations

import argparse
import email.parser
import html
import math
import re
import sysconfig
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from app.core.settings import Settings
from app.core.tokens import count_tokens
from ingest.errors import NothingToIndex
from ingest.folder import chunk_file
from ingest.loaders import LOADERS
from ingest.reading import decode, is_supported
from ingest.schema import title_from_filename

PER_SOURCE = 150
PYENV_SITE = Path("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages")
VENV_SITE = Path(sysconfig.get_paths()["purelib"])  # the venv running the sweep
RUST_BOOK = Path("/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html/book")
METADATA_DIR = Path("/tmp/sweep-metadata")


def _files(root: Path, suffixes: tuple[str, ...], skip: tuple[str, ...] = ()) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and not any(s in p.as_posix() for s in skip))


def _site_docs(suffixes: tuple[str, ...]) -> list[Path]:
    """Package docs in both site-packages (awscli's examples are a source of their own)."""
    return sorted({p.resolve() for root in (PYENV_SITE, VENV_SITE)
                   for p in _files(root, suffixes, ("/awscli/examples/",))})


def _metadata_bodies(kind: str) -> list[Path]:
    """Each venv package's long description (the METADATA body) as a .md or .rst file in /tmp."""
    suffix = {"text/markdown": ".md", "text/x-rst": ".rst"}[kind]
    METADATA_DIR.mkdir(parents=True, exist_ok=True)
    out = []
    for meta in sorted(VENV_SITE.glob("*.dist-info/METADATA")):
        message = email.parser.Parser().parsestr(meta.read_text(encoding="utf-8", errors="replace"))
        content_type = (message.get("Description-Content-Type") or "").split(";")[0].strip().lower()
        body = message.get_payload()
        if content_type != kind or not isinstance(body, str) or not body.strip():
            continue
        target = METADATA_DIR / f"{meta.parent.name.removesuffix('.dist-info')}{suffix}"
        if not target.exists() or target.read_text(encoding="utf-8") != body:
            target.write_text(body, encoding="utf-8")
        out.append(target)
    return out


# name -> (format, root the source path is relative to, files)
SOURCES = {
    "npm-md": ("md", Path("/usr/lib/node_modules/npm/docs"),
               lambda: _files(Path("/usr/lib/node_modules/npm/docs"), (".md", ".mdx"))),
    "node-md": ("md", Path("/usr/share/doc/nodejs"), lambda: _files(Path("/usr/share/doc/nodejs"), (".md",))),
    "gsutil-md": ("md", Path("/usr/lib/google-cloud-sdk/platform/gsutil"),
                  lambda: _files(Path("/usr/lib/google-cloud-sdk/platform/gsutil"), (".md",))),
    "pkg-md": ("md", Path("/"), lambda: _site_docs((".md", ".mdx"))),
    "meta-md": ("md", METADATA_DIR, lambda: _metadata_bodies("text/markdown")),
    "cmake-rst": ("rst", Path("/usr/share/cmake-3.25/Help"),
                  lambda: _files(Path("/usr/share/cmake-3.25/Help"), (".rst",))),
    "aws-rst": ("rst", PYENV_SITE / "awscli/examples", lambda: _files(PYENV_SITE / "awscli/examples", (".rst",))),
    "pkg-rst": ("rst", Path("/"), lambda: _site_docs((".rst",))),
    "meta-rst": ("rst", METADATA_DIR, lambda: _metadata_bodies("text/x-rst")),
    "node-html": ("html", Path("/usr/share/doc/nodejs"),
                  lambda: _files(Path("/usr/share/doc/nodejs"), (".html", ".htm"))),
    "vg-html": ("html", Path("/usr/share/doc/valgrind"),
                lambda: _files(Path("/usr/share/doc/valgrind"), (".html", ".htm"))),
    "xslt-html": ("html", Path("/usr/share/doc/libxslt1-dev"),
                  lambda: _files(Path("/usr/share/doc/libxslt1-dev"), (".html", ".htm"))),
    "gtk-html": ("html", Path("/usr/share/gtk-doc/html"), lambda: _files(Path("/usr/share/gtk-doc/html"), (".html",))),
    "npm-html": ("html", Path("/usr/lib/node_modules/npm"),
                 lambda: _files(Path("/usr/lib/node_modules/npm"), (".html", ".htm"))),
    "rust-html": ("html", RUST_BOOK, lambda: _files(RUST_BOOK, (".html",))),
    "pdf": ("pdf", Path("/usr/share/doc"), lambda: [p for p in (Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
                                                                 Path("/usr/share/doc/shared-mime-info/"
                                                                      "shared-mime-info-spec.pdf")) if p.exists()]),
}
SAMPLE_CAP = {"rust-html": 50}


def sample(paths: list[Path], cap: int) -> list[Path]:
    """Every k-th of the sorted paths, at most ``cap``: deterministic and spread over the tree."""
    paths = [p for p in sorted(paths) if is_supported(p)]
    step = max(1, math.ceil(len(paths) / cap))
    return paths[::step][:cap]


# -- leak checks on chunk text (fenced code removed first) -----------------------------------------
_FENCE = re.compile(r"^(`{3,})[^\n]*\n.*?\n\1[ \t]*$", re.S | re.M)
_HTML_NAMES = ("a|abbr|b|br|code|dd|details|div|dl|dt|em|h[1-6]|hr|i|img|kbd|li|ol|p|pre|span|strong|sub|summary"
               "|sup|table|tbody|td|th|thead|tr|tt|u|ul|var|font|center|section|small|blockquote|picture|source|video")
LEAKS: dict[str, re.Pattern] = {
    # Liquid / Jinja / Vue expressions and tags
    "template": re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S),
    "hugo": re.compile(r"\{\{[<%]"),
    "mdx": re.compile(r"^\s*import\s+[\w{},\s*]+\s+from\s+['\"]|</?[A-Z][A-Za-z]+(?:\s[^<>]*)?/?>", re.M),
    "admonition": re.compile(r"^\s*(?::::|!!!|\?\?\?)\s*\w|\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.M | re.I),
    "html_tag": re.compile(rf"</?(?:{_HTML_NAMES})(?:\s[^<>]*)?/?>|<!--", re.I),
    "entity": re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});"),
    "rst_role": re.compile(r"(?<![\w`]):[a-z][\w.+-]*(?::[\w.+-]+)?:`[^`]+`"),
    "rst_directive": re.compile(r"^\s*\.\.\s+[\w:-]+::", re.M),
    "rst_subst": re.compile(r"(?<![\w|])\|[A-Za-z][\w .-]{0,30}\|(?![\w|])"),
    "rst_literal": re.compile(r"``[^`\s][^`]*``|(?<![\w`])`[^`\n]+`_{1,2}(?!\w)"),
    "md_link": re.compile(r"(?<!!)\[[^\]\n]+\]\((?:[^()\s]|\([^()\s]*\))+\)|\[[^\]\n]+\]\[[^\]\n]*\]"),
    "image": re.compile(r"!\[[^\]\n]*\]\(|^\s*\.\.\s+(?:image|figure)::", re.M),
    "table_border": re.compile(r"^\s*\+[-=+]{3,}\+\s*$|^\s*\|?\s*:?-{3,}:?\s*\|", re.M),
    "underline": re.compile(r"^\s*([=\-~^\"'`#*+])\1{3,}\s*$", re.M),
    "md_heading": re.compile(r"^#{1,6}\s+\S", re.M),
    "emphasis": re.compile(r"(?<![\w*])\*\*[^*\s][^*\n]*\*\*(?![\w*])|(?<![\w*\\])__[^_\s][^_\n]*__(?![\w_])"),
    "escape": re.compile(r"\\[*_`#\[\]<>|{}!]"),
    # a whole page laid out in a table, read as one "cell; cell; …" row: a short first cell (a menu)
    # and a very long line after it
    "table_row_long": re.compile(r"^(?!- )(?:[^\s;]+ ){0,7}[^\s;]+; (?:\S+[ \t]+){140}", re.M),
    # Sphinx's version notes read "New in version 3.3: …"; a colon after the label means the
    # directive's argument block was taken as one raw argument.
    "version_label": re.compile(r"\b(?:New in version|Changed in version|Deprecated since version): "),
    # a directive that holds no reader text, shown as its label and argument ("Only html.")
    "directive_stub": re.compile(
        r"^(?:Only \w+(?: \w+)?\.|[A-Z][a-z]+(?: [a-z]+)*: [\w./-]+\.(?:cmake|rst|txt|py|inc))$", re.M),
}
# Markup in a title or heading: the same families, on a short string.
_HEADING_MARKUP = re.compile(
    r"\{%|\{\{|</?[A-Za-z!][^<>]*>|&(?:[a-zA-Z]{2,8}|#\d+);|\*\*|(?<!\w)\*\w|`|\]\(|\[[^\]]*\]"
    r"|:[a-z][\w.+-]*:`|(?<!\|)\|(?!\|)|(?:^|\s)#{1,6}\s|^#|={3,}|-{3,}|~{3,}|\\[*_`#\[\]<>|]")
# A permalink left on a heading: Node's "#", Sphinx's "¶", a "[src]" link to the source.
_HEADING_ANCHOR = re.compile(r"(?:#|¶|\[src\])\s*$|\[src\]")
# A site name after the page's own title in <title>: "Control Flow - The Rust Programming Language".
_SITE_SUFFIX = re.compile(r"\s(?:-|\||—|–|::)\s(.{3,})$")
_CONTENTS_HEADING = re.compile(r"^(?:table of )?contents$|^on this page$|^in this article$", re.I)
_FENCE_LINE = re.compile(r"^`{3,}", re.M)
_HTML_HEADING = re.compile(r"<h[2-6][\s>]", re.I)
_META_REFRESH = re.compile(r"<meta[^>]+http-equiv=[\"']?refresh", re.I)
_GENERIC_TITLES = {"contents", "table of contents", "index", "readme", "untitled", "home", "document", "toc"}
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_URL = re.compile(r"(?:https?|ftp|mailto):\S+")
_HTML_DROP = re.compile(r"<(script|style|head|nav|footer|header|svg|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^<>]+>")
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


def outside_code(text: str) -> str:
    return _FENCE.sub(" ", text)


def source_words(path: Path, fmt: str, document_text: str | None) -> Counter:
    if fmt == "pdf":
        raw = document_text or ""
    else:
        raw = path.read_text(encoding="utf-8", errors="replace")
        if fmt == "html":
            raw = html.unescape(_TAG.sub(" ", _HTML_DROP.sub(" ", raw)))
        raw = _FRONT.sub("", raw)
    return Counter(w.lower() for w in _WORD.findall(_URL.sub(" ", raw)))


@dataclass
class Hit:
    path: str
    where: str  # "title", "heading" or the chunk's section
    snippet: str


@dataclass
class FileResult:
    source: str
    path: str
    outcome: str  # indexed, skipped, failed
    error: str = ""
    title: str = ""
    chunks: int = 0
    kept: float = 1.0
    grown: float = 1.0  # chunk words / source words: well over 1 means repeated text
    duplicate_chunks: int = 0


@dataclass
class SourceStats:
    files: list[FileResult] = field(default_factory=list)
    hits: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))
    chunk_hits: Counter = field(default_factory=Counter)  # category -> chunks (or titles/headings) hit
    file_hits: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    suffixes: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))  # site name -> titles
    src_words: int = 0
    kept_words: int = 0


def _snippet(text: str, start: int, end: int, pad: int = 60) -> str:
    piece = text[max(0, start - pad):end + pad]
    return " ".join(piece.split())


def _record(stats: SourceStats, category: str, path: str, where: str, text: str, match: re.Match) -> None:
    stats.chunk_hits[category] += 1
    stats.file_hits[category].add(path)
    stats.hits[category].append(Hit(path, where, _snippet(text, match.start(), match.end())))


def title_problems(title: str | None, source: str, has_headings: bool, loader_title: str | None) -> list[str]:
    if not title or not title.strip():
        return ["title_missing"]
    found = []
    if _HEADING_MARKUP.search(title):
        found.append("title_markup")
    low = title.strip().lower()
    if low in _GENERIC_TITLES:
        found.append("title_generic")
    elif title == title_from_filename(source) and has_headings and loader_title is None:
        found.append("title_filename")
    if len(title.split()) > 14 or title.rstrip().endswith((".", ":", ",")):
        found.append("title_sentence")
    return found


def check_file(name: str, fmt: str, root: Path, path: Path, settings: Settings, stats: SourceStats) -> None:
    source = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    shown = path.as_posix()
    result = chunk_file(path, source, settings)
    if result.error is not None:
        outcome = "skipped" if isinstance(result.error, NothingToIndex) else "failed"
        stats.files.append(FileResult(name, shown, outcome, str(result.error)))
        return
    document, chunks = result.document, result.chunks
    title = document.meta.title or ""
    record = FileResult(name, shown, "indexed", title=title, chunks=len(chunks))
    stats.files.append(record)
    has_headings = any(s.path for s in document.sections)
    loader_title = title
    if title == title_from_filename(source) and path.suffix.lower() in LOADERS:  # the filename stood in?
        loader_title = LOADERS[path.suffix.lower()](decode(path.read_bytes(), source), source).meta.title
    for problem in title_problems(title, source, has_headings, loader_title):
        stats.chunk_hits[problem] += 1
        stats.file_hits[problem].add(shown)
        stats.hits[problem].append(Hit(shown, "title", title))
    seen_paths: set[tuple[str, ...]] = set()
    for chunk in chunks:
        if chunk.section_path in seen_paths:
            continue
        seen_paths.add(chunk.section_path)
        for category, pattern in (("heading_anchor", _HEADING_ANCHOR), ("heading_markup", _HEADING_MARKUP)):
            for heading in chunk.section_path:
                if match := pattern.search(heading):
                    _record(stats, category, shown, "heading", heading, match)
                    break
    if fmt == "html" and len(_HTML_HEADING.findall(path.read_text(encoding="utf-8", errors="replace"))) >= 3 \
            and chunks and not any(c.section_path for c in chunks):
        stats.chunk_hits["headings_lost"] += 1
        stats.file_hits["headings_lost"].add(shown)
        stats.hits["headings_lost"].append(Hit(shown, "(top)", chunks[0].text[:160]))
    if fmt == "html" and _META_REFRESH.search(path.read_text(encoding="utf-8", errors="replace")[:4000]):
        stats.chunk_hits["redirect_page"] += 1
        stats.file_hits["redirect_page"].add(shown)
        stats.hits["redirect_page"].append(Hit(shown, "title", f"{title}: {chunks[0].text[:120] if chunks else ''}"))
    if suffix := _SITE_SUFFIX.search(title):
        stats.suffixes[suffix.group(1)].append(Hit(shown, "title", title))
    check_code(document, chunks, settings.chunk_max_tokens, shown, stats)
    check_contents(chunks, shown, stats)
    texts = Counter()
    for chunk in chunks:
        texts[chunk.text] += 1
        prose = outside_code(chunk.text)
        for category, pattern in LEAKS.items():
            if match := pattern.search(prose):
                _record(stats, category, shown, chunk.section or "(top)", prose, match)
    record.duplicate_chunks = sum(n - 1 for n in texts.values() if n > 1)
    document_text = "\n".join(s.text for s in document.sections) if fmt == "pdf" else None
    wanted = source_words(path, fmt, document_text)
    got = Counter(w.lower() for w in _WORD.findall(_URL.sub(" ", " ".join(
        [title, *(" ".join(c.section_path) for c in chunks), *(c.text for c in chunks)]))))
    kept = sum((wanted & got).values())
    total = sum(wanted.values())
    record.kept = kept / total if total else 1.0
    # grows with repeated text, and by design with table headers repeated on every "Header: value" row
    record.grown = sum(1 for c in chunks for _ in _WORD.finditer(_URL.sub(" ", c.text))) / total if total else 1.0
    stats.src_words += total
    stats.kept_words += kept


def check_contents(chunks, shown: str, stats: SourceStats) -> None:
    """An in-page table of contents kept: a "Table of contents" heading over the sections, or a
    chunk that only lists the document's own headings."""
    headings = {h.lower() for c in chunks for h in c.section_path}
    for chunk in chunks:
        if any(_CONTENTS_HEADING.match(h) for h in chunk.section_path):
            _record(stats, "heading_contents", shown, chunk.section, chunk.section, re.search(r".+", chunk.section))
            break
    for chunk in chunks:
        items = [line.strip()[2:].strip().lower() for line in chunk.text.split("\n") if line.strip()]
        if len(items) >= 3 and all(line.lstrip().startswith("- ") for line in chunk.text.split("\n") if line.strip()) \
                and sum(item in headings for item in items) >= 0.8 * len(items):
            _record(stats, "contents_chunk", shown, chunk.section or "(top)", chunk.text, re.search(r".+", chunk.text))


def check_code(document, chunks, max_tokens: int, shown: str, stats: SourceStats) -> None:
    """Code blocks as chunks show them: a fence opened in one chunk and closed in another, an
    over-budget block whose indentation or blank lines the split would lose, a button's label
    ("copy") read as the block's last line."""
    for chunk in chunks:
        fences = _FENCE_LINE.findall(chunk.text)
        if len(fences) % 2:
            match = _FENCE_LINE.search(chunk.text)
            _record(stats, "code_unbalanced", shown, chunk.section or "(top)", chunk.text, match)
        for block in _FENCE.finditer(chunk.text):
            if match := re.search(r"\S(copy|Copy|Copied)\n`{3,}$", block.group(0)):
                _record(stats, "code_ui_text", shown, chunk.section or "(top)", chunk.text,
                        re.search(re.escape(match.group(0)), chunk.text) or match)
    for section in document.sections:
        if section.question:  # an FAQ answer is one chunk, never split
            continue
        for block in _FENCE.finditer(section.text):
            body = block.group(0).split("\n")[1:-1]
            shaped = [line for line in body if line[:1] in (" ", "\t") or not line.strip()]
            if shaped and count_tokens(block.group(0)) > max_tokens:
                at = block.group(0).index(shaped[0]) if shaped[0] else 0
                match = re.compile(re.escape(shaped[0]) if shaped[0] else r"\n\n").search(block.group(0), max(at, 1))
                _record(stats, "code_flattened", shown, " > ".join(section.path) or "(top)", block.group(0),
                        match or re.search(r"\n", block.group(0)))


TITLE_CATEGORIES = ("title_missing", "title_markup", "title_generic", "title_filename", "title_sentence",
                    "title_site_suffix", "redirect_page", "heading_anchor", "heading_markup", "heading_contents",
                    "contents_chunk", "headings_lost")
CODE_CATEGORIES = ("code_unbalanced", "code_flattened", "code_ui_text")
CATEGORIES = TITLE_CATEGORIES + CODE_CATEGORIES + tuple(LEAKS)


def run(names: list[str], cap: int) -> dict[str, SourceStats]:
    settings = Settings()
    results: dict[str, SourceStats] = {}
    for name in names:
        fmt, root, lister = SOURCES[name]
        stats = SourceStats()
        for path in sample(lister(), SAMPLE_CAP.get(name, cap)):
            check_file(name, fmt, root, path, settings, stats)
        for hits in stats.suffixes.values():
            if len(hits) >= 3:  # the same words after the title on three pages: the site's name
                for hit in hits:
                    stats.chunk_hits["title_site_suffix"] += 1
                    stats.file_hits["title_site_suffix"].add(hit.path)
                    stats.hits["title_site_suffix"].append(hit)
        results[name] = stats
    return results


def print_tables(results: dict[str, SourceStats]) -> None:
    head = (f"{'source':<10} {'files':>5} {'index':>5} {'skip':>4} {'fail':>4} {'chunks':>6} {'kept':>5} "
            f"{'<30%':>4} {'grown':>5} {'dupCh':>5}")
    print(head)
    for name, stats in results.items():
        files = stats.files
        count = Counter(f.outcome for f in files)
        indexed = [f for f in files if f.outcome == "indexed"]
        kept = stats.kept_words / stats.src_words if stats.src_words else 1.0
        print(f"{name:<10} {len(files):>5} {count['indexed']:>5} {count['skipped']:>4} {count['failed']:>4} "
              f"{sum(f.chunks for f in indexed):>6} {kept:>5.0%} {sum(f.kept < 0.3 for f in indexed):>4} "
              f"{sum(f.grown > 1.3 for f in indexed):>5} {sum(f.duplicate_chunks for f in indexed):>5}")
    print("\nChunks (titles, headings) hit per category and source; last column: total chunks / files")
    names = list(results)
    print(f"{'category':<15}" + "".join(f"{n.split('-')[0][:4] + '-' + n.split('-')[-1][0]:>7}" for n in names)
          + f"{'total':>12}")
    for category in CATEGORIES:
        cells = [results[n].chunk_hits[category] for n in names]
        files = sum(len(results[n].file_hits[category]) for n in names)
        print(f"{category:<15}" + "".join(f"{c:>7}" for c in cells) + f"{f'{sum(cells)}/{files}':>12}")


def print_failures(results: dict[str, SourceStats], limit: int) -> None:
    kinds: dict[str, list[FileResult]] = defaultdict(list)
    for stats in results.values():
        for f in stats.files:
            if f.outcome != "indexed":
                problem = f.error.split(": ", 1)[-1].split(" — ")[0]
                kinds[f"{f.outcome}: {re.sub(r'[0-9.]+ (MB|KB)', 'N', re.sub(r'[(].*', '(...)', problem))}"].append(f)
    print("\nFiles not indexed, by kind")
    for kind, files in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(files):>4}  {kind}")
        for f in files[:limit]:
            print(f"          {f.path}\n            {f.error[:300]}")


def print_examples(results: dict[str, SourceStats], limit: int, categories: list[str]) -> None:
    """``limit`` examples per category, from different files, taken from each source in turn."""
    for category in categories:
        queues = [[h for h in results[n].hits[category]] for n in results]
        picked, used = [], set()
        while len(picked) < limit and any(queues):
            for queue in queues:
                while queue and queue[0].path in used:
                    queue.pop(0)
                if queue and len(picked) < limit:
                    hit = queue.pop(0)
                    used.add(hit.path)
                    picked.append(hit)
        if not picked:
            continue
        print(f"\n== {category}")
        for hit in picked:
            print(f"  {hit.path}  [{hit.where[:60]}]\n      {hit.snippet[:300]!r}")


def print_low_kept(results: dict[str, SourceStats], limit: int) -> None:
    print("\nIndexed files with the fewest source words kept (or the most repeated)")
    files = [f for stats in results.values() for f in stats.files if f.outcome == "indexed"]
    for f in sorted(files, key=lambda f: f.kept)[:limit]:
        print(f"  kept {f.kept:>4.0%}  {f.path}  ({f.chunks} chunks)")
    for f in sorted(files, key=lambda f: -f.grown)[:limit]:
        if f.grown > 1.3:
            print(f"  grown {f.grown:>4.1f}x {f.path}  ({f.chunks} chunks, {f.duplicate_chunks} repeated)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=0, help="examples per category (path, snippet)")
    parser.add_argument("--source", action="append", choices=list(SOURCES), help="only these sources")
    parser.add_argument("--category", action="append", choices=list(CATEGORIES), help="only these categories")
    parser.add_argument("--cap", type=int, default=PER_SOURCE, help="files sampled per source at most")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.source or list(SOURCES), args.cap)
    print_tables(results)
    print_failures(results, max(args.examples, 2))
    if args.examples:
        print_low_kept(results, args.examples)
        print_examples(results, args.examples, args.category or list(CATEGORIES))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
