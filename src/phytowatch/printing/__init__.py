"""The printed certificate: the PDF (fpdf2, with the embedded Noto Sans SC font) and its QR
code (segno). An adapter: the web and the CLI reach it through ``App.printer``
(``services/certificates/printing.py``); fpdf2 and segno are imported inside, when a
certificate is rendered."""
