"""Pick lists and packing slips as PDF (fpdf2, the bundled DejaVu fonts so any buyer's name prints)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Sequence

from fpdf import FPDF

from prepress import personalize

FONT = "dejavu"


@dataclasses.dataclass(frozen=True)
class Piece:
    """One printed piece: the label printed beside it on the sheet, and what it is for."""

    label: str
    sheet: int
    order_ref: str
    buyer: str
    item: str
    size: str
    personalization: str


@dataclasses.dataclass(frozen=True)
class SlipLine:
    """One item of an order on its packing slip."""

    item: str
    size: str
    quantity: int
    personalization: str
    labels: str


@dataclasses.dataclass(frozen=True)
class Slip:
    """A packing slip: who it goes to and what is in the parcel."""

    shop: str
    order_ref: str
    buyer: str
    ordered: str
    lines: Sequence[SlipLine]


def pick_list(title: str, pieces: Sequence[Piece], out: str | os.PathLike[str], made: dt.datetime) -> None:
    """Every piece of the job by its sheet label, with its order, buyer and item."""
    pdf = _pdf("landscape", made)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 6, f"{len(pieces)} pieces. The label is printed beside each piece on its sheet.",
             new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(28, 14, 26, 45, 85, 30, 45), text_align="LEFT") as table:
        table.row(("Label", "Sheet", "Order", "Buyer", "Item", "Size", "Personalization"))
        for p in pieces:
            table.row((p.label, str(p.sheet), p.order_ref, p.buyer, p.item, p.size, p.personalization))
    pdf.output(os.fspath(out))


def packing_slip(slip: Slip, out: str | os.PathLike[str], made: dt.datetime) -> None:
    """One order's packing slip."""
    pdf = _pdf("portrait", made)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, slip.shop, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    for heading in (f"Packing slip for order {slip.order_ref}", f"Ship to: {slip.buyer}", f"Ordered: {slip.ordered}"):
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(col_widths=(70, 25, 12, 45, 38), text_align="LEFT") as table:
        table.row(("Item", "Size", "Qty", "Personalization", "Sheet labels"))
        for line in slip.lines:
            table.row((line.item, line.size, str(line.quantity), line.personalization, line.labels))
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, "Thank you for your order! Press at the temperature on the care card; peel when cool.")
    pdf.output(os.fspath(out))


def _pdf(orientation: str, made: dt.datetime) -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="Letter")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font(FONT, "", str(personalize.FONT_DIR / personalize.FONTS["dejavu-sans"]))
    pdf.add_font(FONT, "B", str(personalize.FONT_DIR / personalize.FONTS["dejavu-sans-bold"]))
    pdf.set_creator("Etsy Seller Automater")
    pdf.set_creation_date(made)
    pdf.add_page()
    return pdf
