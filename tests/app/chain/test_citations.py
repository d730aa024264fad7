import pytest

from app.chain.citations import check_citations


@pytest.mark.parametrize(
    ("reply", "sources", "text", "cited", "removed"),
    [
        ("Freeze it in the app [1].", 2, "Freeze it in the app [1].", [1], []),
        ("A [2] and B [1] and A again [2].", 2, "A [2] and B [1] and A again [2].", [2, 1], []),
        ("Made up [3].", 2, "Made up.", [], [3]),
        ("Zero [0] is not a source.", 1, "Zero is not a source.", [], [0]),
        ("No markers at all.", 3, "No markers at all.", [], []),
        ("Mixed [1][7].", 1, "Mixed [1].", [1], [7]),
        ("Nothing given [1].", 0, "Nothing given.", [], [1]),
    ],
)
def test_markers_must_point_at_given_sources(reply, sources, text, cited, removed):
    check = check_citations(reply, sources)
    assert (check.text, check.cited, check.removed) == (text, cited, removed)
    assert check.has_citation == bool(cited)
