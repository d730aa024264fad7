import pytest

from app.core.jsonl import JsonlError, read_jsonl


def test_rows_in_order_and_blank_lines_skipped(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n  \n{"a": 2, "b": "é"}\n', encoding="utf-8")
    assert read_jsonl(path) == [{"a": 1}, {"a": 2, "b": "é"}]


@pytest.mark.parametrize("line, problem", [
    ('{"a": 1', "line 2: invalid JSON"),
    ('[1, 2]', "line 2: expected a JSON object"),
    ('"text"', "line 2: expected a JSON object"),
])
def test_a_bad_line_names_the_file_and_the_line(tmp_path, line, problem):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"ok": true}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(JsonlError, match=problem) as caught:
        read_jsonl(path)
    assert str(path) in str(caught.value)
