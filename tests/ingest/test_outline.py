"""ingest/outline.py: what the loaders share once a picture is dropped."""

from __future__ import annotations

import pytest

from ingest.outline import without_dangling_colon


@pytest.mark.parametrize(("before", "after"), [
    ("it will get a notification that a transaction is available:", "it will get a notification that a transaction "
                                                                     "is available."),
    ("Join us:", "Join us."),
    ("Steps.\n- Click Settings, then Save:", "Steps.\n- Click Settings, then Save."),  # a list item's last line
    ("that means success!:", "that means success!"),  # its own stop is kept, not doubled
    ("Output:", "Output:"),  # a one-word label
    ("```\nsettings:\n```", "```\nsettings:\n```"),  # code
    ("Run it.", "Run it."),
])
def test_a_colon_before_a_dropped_picture_becomes_a_full_stop(before, after):
    assert without_dangling_colon(before) == after
