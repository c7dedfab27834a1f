"""Writers: DOCX, PDF (Typst or LibreOffice), HTML, redline, manifest, the output folder."""
