"""Token counting with tiktoken's cl100k_base, from files that ship with llama-index-core.

tiktoken downloads its BPE ranks on first use, which fails offline; llama-index-core
ships a cache of cl100k_base, so point tiktoken at it before asking for the encoding.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from app.core.errors import ConfigError

ENCODING = "cl100k_base"
_CL100K_CACHE_KEY = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"  # sha1 of the encoding's download URL


def _bundled_cache() -> Path:
    import llama_index.core

    return Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"


@lru_cache(maxsize=1)
def encoding():
    import tiktoken

    cache = Path(os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(_bundled_cache())))
    if not (cache / _CL100K_CACHE_KEY).is_file():
        raise ConfigError(
            f"tiktoken's {ENCODING} file is not in {cache}: unset TIKTOKEN_CACHE_DIR to use the copy bundled with "
            "llama-index-core, or reinstall llama-index-core"
        )
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
