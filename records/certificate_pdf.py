"""The vaccination certificate as a PDF: the fields of NASPHV Form 51 ("Rabies
Vaccination Certificate") for every vaccination on the animal's record, from
records.certificates.certificate_facts — so the PDF says exactly what the verification
page says, and nothing about the owner."""

from __future__ import annotations

import io
from datetime import date

import segno
from fpdf import FPDF

from .certificates import CertificateFacts

# The PDF's built-in fonts cover Latin-1; anything else is shown as "?" rather than failing.
_ENCODING = "latin-1"

COLUMNS: tuple[tuple[str, float], ...] = (
    ("Vaccine (product)", 38),
    ("Manufacturer", 30),
    ("Lot / serial", 24),
    ("Date given", 22),
    ("Duration", 17),
    ("Next due", 22),
    ("Tag no.", 20),
    ("Vaccinating vet", 36),
    ("Licence no.", 24),
    ("Practice", 34),
)


def _text(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, date):
        value = value.isoformat()
    return str(value).encode(_ENCODING, "replace").decode(_ENCODING)


def _duration(years: int | None) -> str:
    if years is None:
        return "-"
    return "1 year" if years == 1 else f"{years} years"


def certificate_pdf(facts: CertificateFacts, *, verify_url: str | None = None) -> bytes:
    """The certificate as PDF bytes; with `verify_url`, its QR code and address too."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_text(f"Vaccination certificate - {facts.animal_name}"))
    pdf.set_creator("VetPass")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Vaccination certificate", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        200,
        5,
        "With the fields of the NASPHV Rabies Vaccination Certificate (Form 51). "
        f"Issued by VetPass from the animal's record on {facts.issued_at:%Y-%m-%d %H:%M} UTC.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Animal", new_x="LMARGIN", new_y="NEXT")
    animal_rows = (
        ("Name", facts.animal_name),
        ("Species", facts.species),
        ("Breed", facts.breed),
        ("Colour", facts.colour),
        ("Sex", facts.sex),
        ("Date of birth", facts.date_of_birth),
        ("Microchip", facts.microchip),
    )
    top = pdf.get_y()
    for label, value in animal_rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(35, 6, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(100, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    if verify_url:
        qr = segno.make(verify_url, error="m")
        png = io.BytesIO()
        qr.save(png, kind="png", scale=4, border=2)
        png.seek(0)
        pdf.image(png, x=235, y=top - 8, w=45, h=45)
        pdf.set_xy(150, top + 38)
        pdf.set_font("Helvetica", "", 7)
        pdf.multi_cell(130, 4, _text(f"Check online: {verify_url}"), align="R")
        pdf.set_y(max(pdf.get_y(), top + 7 * 6))
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Vaccinations", new_x="LMARGIN", new_y="NEXT")
    if not facts.vaccinations:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, "No vaccinations are recorded.", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(
            col_widths=tuple(w for _, w in COLUMNS),
            text_align="LEFT",
            line_height=5,
            first_row_as_headings=True,
        ) as table:
            pdf.set_font("Helvetica", "", 8)
            header = table.row()
            for title, _ in COLUMNS:
                header.cell(title)
            for v in facts.vaccinations:
                row = table.row()
                for value in (
                    v.product,
                    v.manufacturer,
                    v.lot,
                    v.given_on,
                    _duration(v.duration_years),
                    v.next_due_on,
                    v.tag_number,
                    v.vet_name,
                    v.vet_licence,
                    v.practice_name,
                ):
                    row.cell(_text(value))
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        "This certificate shows only the animal's vaccinations, as recorded by its owner and "
        "practices in VetPass. The owner's name and contact details are left out on purpose.",
    )
    return bytes(pdf.output())
