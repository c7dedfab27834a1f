"""Suite-wide hooks: tests marked ``pdf_engine`` skip, with the reason, where LibreOffice is missing."""

from __future__ import annotations

import pytest

PDF_ENGINE_MARKER = "pdf_engine: needs LibreOffice (soffice) and its Python bridge (python3-uno); skipped without them"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", PDF_ENGINE_MARKER)


def pdf_engine_missing() -> str | None:
    """Why the PDF engine cannot run here (the same checks `coopdocs build --format pdf` makes), or None."""
    from coopdocs import pdf

    if pdf.find_soffice() is None:
        missing = "LibreOffice (soffice) is not installed"
    elif pdf.find_uno_python() is None:
        missing = "LibreOffice's Python bridge (python3-uno) is not installed"
    else:
        return None
    return f"no PDF engine: {missing}; {pdf.INSTALL_HINT} (or run scripts/bootstrap.sh)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("pdf_engine")]
    if not marked:
        return
    reason = pdf_engine_missing()
    if reason is None:
        return
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=reason))
