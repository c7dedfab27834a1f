"""Byte-identical DOCX files: python-docx stamps the current time into every zip entry, so the
archive is rewritten with a fixed timestamp, fixed attributes and the original entry order."""

from __future__ import annotations

import io
import zipfile
from typing import Any

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def deterministic_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


class _FixedZipWriter:
    """python-docx's physical package writer, with fixed timestamps and attributes."""

    def __init__(self, target: io.BytesIO) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, date_time=FIXED_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o600 << 16
        entry.create_system = 0
        self.zip.writestr(entry, blob)

    def close(self) -> None:
        self.zip.close()


def save_document(document: Any) -> bytes:
    """Save a python-docx document straight into a deterministic archive.

    The same as ``deterministic_zip(saved bytes)`` but compressing once instead of twice (zlib was
    the largest cost of a build). It follows python-docx's ``PackageWriter.write`` step by step."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    buffer = io.BytesIO()
    writer = _FixedZipWriter(buffer)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)  # type: ignore[arg-type]
    writer.close()
    return buffer.getvalue()
