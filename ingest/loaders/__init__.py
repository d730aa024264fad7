"""One loader per knowledge-file format, keyed by file extension."""

from __future__ import annotations

from typing import Callable

from ingest.document import LoadedDocument
from ingest.loaders.csv_faq import load_csv_faq
from ingest.loaders.markdown import load_markdown
from ingest.loaders.yaml_faq import load_yaml_faq

Loader = Callable[[str, str], LoadedDocument]

LOADERS: dict[str, Loader] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".yaml": load_yaml_faq,
    ".yml": load_yaml_faq,
    ".csv": load_csv_faq,
}
