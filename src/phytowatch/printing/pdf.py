"""The certificate as a PDF, laid out like the ISPM 12 model certificates (the phytosanitary
certificate, the re-export form) and the bureau's fumigation/disinfection certificate: every
label in Chinese and English, the numbered boxes, the treatment box, the place and date of issue,
the authorised officer, the number and check code, and the QR code in the top right corner.

``render_certificate(printable)`` is callable on its own (content and issue in, bytes out): no
database, no clock. fpdf2 and segno are imported here, when a certificate is rendered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from phytowatch.domain.certificates.model import (
    CertificateContent,
    CertificateKind,
    TreatmentStatement,
)
from phytowatch.printing import fonts
from phytowatch.printing import labels as L  # noqa: N812 - the labels, read as L.EXPORTER
from phytowatch.printing.qr import MIN_SIZE, draw_qr, qr_code, qr_size
from phytowatch.services.certificates.printing import Printable, PrintMark, issued_on

MARGIN = 14.0
LABEL_PT = 6.8
VALUE_PT = 9.5
PAD = 1.6
FONT = fonts.FAMILY
INK = (20, 20, 20)
GREY = (95, 95, 95)
RULE = (60, 60, 60)
MARK_COLOUR = {PrintMark.COPY: (180, 30, 30), PrintMark.DRAFT: (40, 80, 170)}
MARK_WORD = {PrintMark.ORIGINAL: L.ORIGINAL, PrintMark.COPY: L.COPY, PrintMark.DRAFT: L.DRAFT}


class PdfPrinter:
    """``App.printer``: the fpdf2 renderer."""

    def ready(self) -> None:
        fonts.check_fonts()

    def render(self, printable: Printable) -> bytes:
        return render_certificate(printable)


def _texts(content: CertificateContent) -> Iterable[str]:
    yield from (content.exporter.name, content.exporter.address, content.consignee.name)
    yield from (content.consignee.address, content.packages, content.marks)
    yield from (content.place_of_origin, content.conveyance, content.point_of_entry)
    yield from (content.additional_declaration, content.remarks, *content.containers)
    for line in content.lines:
        yield from (line.description, line.botanical_name, line.quantity, line.package_type)
    for t in content.treatments:
        yield from (t.method, t.duration_and_temperature, t.chemical, t.concentration)
    if content.reexport is not None:
        yield content.reexport.original_certificate


def render_certificate(printable: Printable) -> bytes:
    """The certificate's PDF. ``Invalid`` (``print.font_missing``) without its font."""
    from fpdf import FPDF

    fonts.check_fonts()
    issue = printable.issue
    extra = "" if issue is None else f"{issue.officer}{issue.place_of_issue}"
    full = not fonts.covers("".join(_texts(printable.content)) + extra)

    sheet = _Sheet(printable)
    pdf: Any = sheet.pdf
    assert isinstance(pdf, FPDF)
    fonts.add_fonts(pdf, full=full)
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()
    sheet.body()
    return bytes(pdf.output())


class _Sheet:
    def __init__(self, printable: Printable) -> None:
        from fpdf import FPDF

        sheet = self

        class _Pdf(FPDF):
            def header(self) -> None:
                sheet.header()

            def footer(self) -> None:
                sheet.footer()

        self.p = printable
        self.c = printable.content
        self.pdf: Any = _Pdf(orientation="P", unit="mm", format="A4")
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.set_auto_page_break(False, margin=18)
        self.pdf.set_creator("phytowatch")
        self.pdf.set_title(L.TITLES[self.c.kind.value])
        self.width = 210 - 2 * MARGIN
        self.bottom = 297 - 20
        self.box_no = 0

    # -- frame -----------------------------------------------------------------------------

    def number(self) -> str:
        return self.p.issue.number if self.p.issue is not None else "—"

    def header(self) -> None:
        pdf = self.pdf
        if pdf.page_no() > 1:  # a continuation: the number again, and what the page is
            pdf.set_xy(MARGIN, 8)
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(*GREY)
            title = L.TITLES[self.c.kind.value]
            pdf.cell(self.width, 4, f"{L.zh(title)} {title} · {L.both(L.NUMBER)} {self.number()}")
            pdf.set_y(MARGIN + 2)
        self.watermark()

    def footer(self) -> None:
        pdf = self.pdf
        pdf.set_xy(MARGIN, 297 - 14)
        pdf.set_font(FONT, "", 6.5)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(self.width, 3, f"{L.zh(L.NO_LIABILITY)}\n{L.NO_LIABILITY}", align="L")
        pdf.set_xy(MARGIN, 297 - 7.5)
        page = L.PAGE.format(page=pdf.page_no(), pages="{nb}")
        zh_page = L.zh(L.PAGE).format(page=pdf.page_no(), pages="{nb}")
        code = f" · {L.both(L.CHECK_CODE)} {self.p.issue.check_code}" if self.p.issue else ""
        pdf.cell(self.width, 3, f"{L.both(L.NUMBER)} {self.number()}{code}", align="L")
        pdf.set_x(MARGIN)
        pdf.cell(self.width, 3, f"{zh_page} {page}", align="R")

    def watermark(self) -> None:
        mark = self.p.mark
        if mark is PrintMark.ORIGINAL:
            return
        pdf = self.pdf
        text = f"{L.zh(MARK_WORD[mark])} {MARK_WORD[mark]}"
        pdf.set_font(FONT, "B", 88)
        pdf.set_text_color(*MARK_COLOUR[mark])
        with (
            pdf.local_context(fill_opacity=0.10, stroke_opacity=0.10),
            pdf.rotation(angle=35, x=105, y=160),
        ):
            w = pdf.get_string_width(text)
            pdf.text(105 - w / 2, 175, text)

    # -- the page -----------------------------------------------------------------------------

    def body(self) -> None:
        self.top()
        kind = self.c.kind
        self.description()
        if kind is CertificateKind.TREATMENT:
            self.statement(L.TREATMENT_STATEMENT)
            self.treatment(numbered=True)
            self.additional()
        else:
            self.statement(L.STATEMENT if kind is CertificateKind.PHYTOSANITARY else None)
            self.additional()
            self.treatment(numbered=True)
        self.issue_box()

    def top(self) -> None:
        pdf = self.pdf
        code = qr_code(self.p.qr_text) if self.p.qr_text else None
        size = qr_size(code) if code is not None else MIN_SIZE + 4
        left = self.width - size - 4
        qr_x, qr_y = 210 - MARGIN - size, MARGIN - 2
        if code is not None:
            draw_qr(pdf, code, x=qr_x, y=qr_y, size=size)
            pdf.set_xy(qr_x - 3, qr_y + size - 0.5)
            pdf.set_font(FONT, "B", 7)
            pdf.set_text_color(*INK)
            pdf.cell(size + 6, 3.2, L.both(L.SCAN, " / "), align="C")
        else:  # a draft: no number to check, so no code
            pdf.set_draw_color(*MARK_COLOUR[PrintMark.DRAFT])
            pdf.set_line_width(0.4)
            pdf.rect(qr_x, qr_y + 2, size, size - 4)
            pdf.set_xy(qr_x + 2, qr_y + 10)
            pdf.set_font(FONT, "B", 8)
            pdf.set_text_color(*MARK_COLOUR[PrintMark.DRAFT])
            pdf.multi_cell(
                size - 4,
                4,
                f"{L.both(L.DRAFT, ' ')}\n{L.zh(L.DRAFT_NO_QR)}\n{L.DRAFT_NO_QR}",
                align="C",
            )
        pdf.set_text_color(*INK)
        pdf.set_xy(MARGIN, MARGIN)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(left, 5, L.zh(L.AUTHORITY), align="L")
        pdf.set_font(FONT, "", 7.5)
        pdf.set_x(MARGIN)
        pdf.multi_cell(left, 3.6, L.AUTHORITY, align="L")
        pdf.ln(2.5)
        title = L.TITLES[self.c.kind.value]
        title_y = pdf.get_y()
        pdf.set_x(MARGIN)
        pdf.set_font(FONT, "B", 17)
        pdf.cell(left, 8, L.zh(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "B", 11.5)
        pdf.multi_cell(left, 5.2, title, align="L")
        pdf.ln(1.5)
        pdf.set_x(MARGIN)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*GREY)
        said = L.both(L.NUMBER)
        pdf.cell(pdf.get_string_width(said) + 2, 5, said)
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(*INK)
        pdf.cell(pdf.get_string_width(self.number()) + 6, 5, self.number())
        if self.p.issue is not None:
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(*GREY)
            said = L.both(L.CHECK_CODE)
            pdf.cell(pdf.get_string_width(said) + 2, 5, said)
            pdf.set_font(FONT, "B", 11)
            pdf.set_text_color(*INK)
            pdf.cell(24, 5, self.p.issue.check_code)
        self.mark_badge(MARGIN + left, title_y)
        pdf.set_y(max(pdf.get_y() + 7, qr_y + size + 4))
        if self.c.kind is not CertificateKind.TREATMENT:
            pdf.set_x(MARGIN)
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(*GREY)
            to = f"{L.zh(L.TO_PPO)} {self.c.destination} ｜ {L.TO_PPO}"
            pdf.cell(pdf.get_string_width(to) + 2, 5, to)
            pdf.set_font(FONT, "B", 10)
            pdf.set_text_color(*INK)
            pdf.cell(30, 5, self.c.destination, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)

    def mark_badge(self, right: float, y: float) -> None:
        pdf = self.pdf
        mark = self.p.mark
        colour = MARK_COLOUR.get(mark, INK)
        text = f"{L.zh(MARK_WORD[mark])} {MARK_WORD[mark]}"
        pdf.set_font(FONT, "B", 10 if mark is PrintMark.ORIGINAL else 12)
        w = pdf.get_string_width(text) + 5
        pdf.set_draw_color(*colour)
        pdf.set_text_color(*colour)
        pdf.set_line_width(0.5)
        pdf.set_xy(right - w, y + 0.5)
        pdf.cell(w, 6.5, text, border=1, align="C")
        pdf.set_text_color(*INK)
        pdf.set_draw_color(*RULE)

    # -- boxes ------------------------------------------------------------------------------

    def label(self, text: str, numbered: bool) -> str:
        if numbered:
            self.box_no += 1
            return f"{self.box_no}. {L.both(text)}"
        return L.both(text)

    def measure(self, w: float, label: str, value: str) -> float:
        pdf = self.pdf
        pdf.set_font(FONT, "", LABEL_PT)
        h = pdf.multi_cell(w - 2 * PAD, 3.1, label, dry_run=True, output="HEIGHT")
        pdf.set_font(FONT, "", VALUE_PT)
        h += pdf.multi_cell(w - 2 * PAD, 4.4, value or " ", dry_run=True, output="HEIGHT")
        return float(h) + 2 * PAD + 0.8

    def ensure(self, h: float) -> None:
        if self.pdf.get_y() + h > self.bottom:
            self.pdf.add_page()
            self.pdf.set_y(MARGIN + 2)

    def row(self, boxes: list[tuple[float, str, str]], numbered: bool = True) -> None:
        """Boxes side by side: (share of the width, label, value); as tall as the tallest."""
        pdf = self.pdf
        named = [
            (share * self.width, self.label(text, numbered), value) for share, text, value in boxes
        ]
        h = max(self.measure(w, label, value) for w, label, value in named)
        self.ensure(h)
        y = pdf.get_y()
        x = MARGIN
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.25)
        for w, label, value in named:
            pdf.rect(x, y, w, h)
            pdf.set_xy(x + PAD, y + PAD)
            pdf.set_font(FONT, "", LABEL_PT)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(w - 2 * PAD, 3.1, label, align="L")
            pdf.set_x(x + PAD)
            pdf.set_font(FONT, "", VALUE_PT)
            pdf.set_text_color(*INK)
            pdf.multi_cell(w - 2 * PAD, 4.4, value, align="L")
            x += w
        pdf.set_xy(MARGIN, y + h)

    def description(self) -> None:
        c = self.c
        self.row(
            [
                (0.5, L.EXPORTER, _party(c.exporter.name, c.exporter.address)),
                (0.5, L.CONSIGNEE, _party(c.consignee.name, c.consignee.address)),
            ]
        )
        self.row([(0.5, L.PACKAGES, c.packages), (0.5, L.MARKS, _marks(c.marks, c.containers))])
        self.row(
            [
                (0.34, L.ORIGIN, c.place_of_origin),
                (0.33, L.CONVEYANCE, c.conveyance),
                (0.33, L.ENTRY, c.point_of_entry),
            ]
        )
        self.lines()

    def lines(self) -> None:
        """Name of produce and quantity declared, and the botanical names: a table, one row a
        line, continued on the next page when long."""
        pdf = self.pdf
        self.box_no += 1
        head = f"{self.box_no}. {L.both(L.PRODUCE)}; {L.both(L.BOTANICAL)}"
        cols = [
            (0.30, L.PRODUCE_NAME),
            (0.30, L.BOTANICAL),
            (0.18, L.QUANTITY),
            (0.22, L.LINE_PACKAGES),
        ]
        widths = [share * self.width for share, _ in cols]
        self.ensure(16)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.25)
        pdf.set_font(FONT, "", LABEL_PT)
        pdf.set_text_color(*GREY)
        pdf.set_x(MARGIN)
        pdf.cell(self.width, 5, head, border="LTR", new_x="LMARGIN", new_y="NEXT")
        header = [L.both(text, "\n") for _, text in cols]
        self.table_row(header, widths, LABEL_PT, GREY)
        for line in self.c.lines or ():
            packages = f"{line.packages} {line.package_type}".strip()
            botanical = line.botanical_name
            cells = [line.description, botanical, line.quantity, packages]
            self.table_row(cells, widths, VALUE_PT, INK, header)
        if not self.c.lines:
            self.table_row([L.both(L.NONE), "", "", ""], widths, VALUE_PT, INK)

    def table_row(
        self,
        cells: list[str],
        widths: list[float],
        pt: float,
        colour: tuple[int, int, int],
        header: list[str] | None = None,
    ) -> None:
        """One row of a table; on a new page, the table's ``header`` row first."""
        pdf = self.pdf
        pdf.set_font(FONT, "", pt)
        step = 3.1 if pt == LABEL_PT else 4.4
        h = (
            max(
                float(pdf.multi_cell(w - 2 * PAD, step, text or " ", dry_run=True, output="HEIGHT"))
                for w, text in zip(widths, cells, strict=True)
            )
            + 2 * PAD
        )
        if pdf.get_y() + h > self.bottom:
            pdf.add_page()
            pdf.set_y(MARGIN + 2)
            if header is not None:
                self.table_row(header, widths, LABEL_PT, GREY)
                pdf.set_font(FONT, "", pt)
        y = pdf.get_y()
        x = MARGIN
        pdf.set_text_color(*colour)
        for w, text in zip(widths, cells, strict=True):
            pdf.rect(x, y, w, h)
            pdf.set_xy(x + PAD, y + PAD)
            pdf.multi_cell(w - 2 * PAD, step, text, align="L")
            x += w
        pdf.set_text_color(*INK)
        pdf.set_xy(MARGIN, y + h)

    def statement(self, text: str | None) -> None:
        if text is None:  # the re-export form's statement, with its choices filled
            text = self.reexport_statement()
        chinese = L.zh(text) if self.c.reexport is None else self.reexport_statement(zh=True)
        self.row([(1.0, L.CERTIFICATION, f"{chinese}\n{text}")])

    def reexport_statement(self, *, zh: bool = False) -> str:
        r = self.c.reexport
        t = L.zh if zh else (lambda s: s)
        if r is None:
            return ""
        return t(L.REEXPORT_STATEMENT).format(
            origin=r.origin_country,
            original=r.original_certificate,
            copy=t(L.RE_CERTIFIED_COPY if r.certified_copy else L.RE_ORIGINAL),
            packed=t(L.RE_REPACKED if r.repacked else L.RE_PACKED),
            containers=t(L.RE_NEW_CONTAINERS if r.new_containers else L.RE_ORIGINAL_CONTAINERS),
            inspection=t(L.RE_INSPECTION) if r.additional_inspection else "",
        )

    def additional(self) -> None:
        c = self.c
        text = c.additional_declaration or L.both(L.NONE)
        if self.p.replaces:
            said = L.REPLACES.format(number=self.p.replaces)
            text += f"\n{L.zh(L.REPLACES).format(number=self.p.replaces)}\n{said}"
        if c.remarks:
            text += f"\n{L.both(L.REMARKS)}: {c.remarks}"
        self.row([(1.0, L.ADDITIONAL, text)])

    def treatment(self, *, numbered: bool) -> None:
        treatments = self.c.treatments
        if not treatments:
            self.row([(1.0, L.TREATMENT, L.both(L.NONE))], numbered)
            return
        pdf = self.pdf
        self.box_no += 1 if numbered else 0
        head = f"{self.box_no}. {L.both(L.TREATMENT)}" if numbered else L.both(L.TREATMENT)
        self.ensure(20)
        pdf.set_font(FONT, "", LABEL_PT)
        pdf.set_text_color(*GREY)
        pdf.set_draw_color(*RULE)
        pdf.set_x(MARGIN)
        pdf.cell(self.width, 5, head, border="LTR", new_x="LMARGIN", new_y="NEXT")
        cols = [
            (0.14, L.DATE),
            (0.17, L.METHOD),
            (0.15, L.CHEMICAL),
            (0.19, L.DURATION),
            (0.12, L.CONCENTRATION),
            (0.23, L.MORE),
        ]
        widths = [share * self.width for share, _ in cols]
        header = [L.both(text, "\n") for _, text in cols]
        self.table_row(header, widths, LABEL_PT, GREY)
        for t in treatments:
            self.table_row(_treatment_cells(t), widths, VALUE_PT, INK, header)

    def issue_box(self) -> None:
        issue = self.p.issue
        place = issue.place_of_issue if issue else ""
        date = issued_on(issue) if issue else ""
        officer = issue.officer if issue else ""
        self.ensure(48)  # the place, date and officer stay with the signature and stamp
        self.row(
            [
                (0.34, L.PLACE_OF_ISSUE, place),
                (0.33, L.DATE_OF_ISSUE, date),
                (0.33, L.OFFICER, officer),
            ]
        )
        pdf = self.pdf
        self.ensure(26)
        y = pdf.get_y()
        pdf.set_draw_color(*RULE)
        pdf.rect(MARGIN, y, self.width, 22)
        pdf.set_font(FONT, "", LABEL_PT)
        pdf.set_text_color(*GREY)
        pdf.set_xy(MARGIN + PAD, y + PAD)
        pdf.cell(60, 3, L.both(L.SIGNATURE))
        pdf.set_xy(MARGIN + self.width * 0.62, y + PAD)
        pdf.cell(60, 3, f"({L.both(L.STAMP)})")
        pdf.set_draw_color(170, 170, 170)
        pdf.line(MARGIN + 4, y + 17, MARGIN + self.width * 0.5, y + 17)
        pdf.set_xy(MARGIN, y + 23)
        pdf.set_font(FONT, "", 7)
        pdf.set_text_color(*GREY)
        verify = L.VERIFY_AT.format(address=self.p.verify_url)
        pdf.multi_cell(
            self.width,
            3.4,
            f"{L.zh(L.VERIFY_AT).format(address=self.p.verify_url)}  {verify}",
            align="L",
        )


def _party(name: str, address: str) -> str:
    return f"{name}\n{address}".strip()


def _marks(marks: str, containers: tuple[str, ...]) -> str:
    if not containers:
        return marks
    return f"{marks}\n{L.both(L.CONTAINERS)}: {', '.join(containers)}".strip()


def _treatment_cells(t: TreatmentStatement) -> list[str]:
    more = [L.SCHEDULE.format(schedule=t.schedule_id)]
    if t.facility:
        more.append(L.FACILITY.format(facility=t.facility))
    if t.treater_number:
        more.append(L.TREATER.format(number=t.treater_number))
    zh_more = [L.zh(L.SCHEDULE).format(schedule=t.schedule_id)]
    if t.facility:
        zh_more.append(L.zh(L.FACILITY).format(facility=t.facility))
    if t.treater_number:
        zh_more.append(L.zh(L.TREATER).format(number=t.treater_number))
    method = L.both(t.method, "\n")
    return [
        t.date,
        method,
        t.chemical or "—",
        t.duration_and_temperature,
        t.concentration or "—",
        "；".join(zh_more) + "\n" + "; ".join(more),
    ]
