"""One loader per knowledge-file format, keyed by file extension.

| format | extensions | parser |
| --- | --- | --- |
| Markdown (CommonMark, GFM tables, VuePress/Docusaurus/MkDocs/MyST extensions, site-generator markup: Liquid, Hugo, GitBook; MDX imports and components) | .md .markdown .mdx | markdown-it-py with mdit-py-plugins |
| reStructuredText (Sphinx) | .rst .rest | docutils |
| HTML article exports | .html .htm | the standard library's html.parser |
| PDF | .pdf | pypdf |
| Plain text | .txt | none needed: blank lines end paragraphs, numbered, underlined or capitalised lines are headings |
| YAML FAQ | .yaml .yml | PyYAML |
| CSV FAQ export | .csv | the standard library's csv |
"""

from __future__ import annotations

from typing import Callable

from ingest.document import LoadedDocument
from ingest.loaders.csv_faq import load_csv_faq
from ingest.loaders.html import load_html
from ingest.loaders.markdown import load_markdown
from ingest.loaders.pdf import load_pdf
from ingest.loaders.rst import load_rst
from ingest.loaders.text import load_text
from ingest.loaders.yaml_faq import load_yaml_faq

Loader = Callable[[str, str], LoadedDocument]
BinaryLoader = Callable[[bytes, str], LoadedDocument]

LOADERS: dict[str, Loader] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".mdx": load_markdown,
    ".rst": load_rst,
    ".rest": load_rst,
    ".html": load_html,
    ".htm": load_html,
    ".yaml": load_yaml_faq,
    ".yml": load_yaml_faq,
    ".csv": load_csv_faq,
    ".txt": load_text,
}

# Formats that are not text: the loader gets the file's bytes.
BINARY_LOADERS: dict[str, BinaryLoader] = {
    ".pdf": load_pdf,
}
