"""Small real PDFs for the PDF loader's tests, written with pypdf: each page a list of text
lines in Helvetica, with optional bookmarks and a Title property."""

from __future__ import annotations

import io


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], title: str | None = None, bookmarks: list[tuple[str, int]] = (),
             password: str | None = None) -> bytes:
    """``bookmarks`` are (title, 0-based page) pairs at the outline's top level."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    }))
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        body = " ".join(f"({_escape(line)}) Tj T*" for line in lines)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 11 Tf 72 740 Td 14 TL {body} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    for name, page_number in bookmarks:
        writer.add_outline_item(name, page_number)
    if title:
        writer.add_metadata({"/Title": title})
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
