"""Pick lists and packing slips of a gang sheet job: every piece's sheet label, its order, buyer and item.

The labels are decided here, before rendering, and the same strings are printed beside the pieces on the sheets
and listed on the pick list, so what the operator reads on the film is what the list says.
"""
from __future__ import annotations

import collections
import dataclasses
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import file as file_model
from models import order as order_model
from models import organization as org_model
from models import print_job as job_model
from models import shop as shop_model
from models import template as template_model
from prepress import documents, labels
from services import gang_items, outputs, rows, work

ItemKey = tuple[int, str]  # an order item id and its personalization


@dataclasses.dataclass
class Pieces:
    """The job's pieces, sheet by sheet, and the orders and items they belong to."""

    by_sheet: dict[int, list[documents.Piece]]
    orders: dict[int, order_model.Order]
    items: dict[int, order_model.OrderItem]
    piece_items: dict[str, int | None]  # label -> order item id
    order_area: dict[int, float]  # order id -> square inches of its pieces

    def labels(self, sheet: int) -> list[str]:
        """The labels of one sheet's pieces, in placement order (what the renderer prints)."""
        return [p.label for p in self.by_sheet.get(sheet, [])]

    def film_by_order(self, total_length_in: float) -> list[dict[str, Any]]:
        """Each order's share of the film, by the area its pieces cover."""
        total = sum(self.order_area.values()) or 1.0
        return [{"order_id": order_id, "receipt_id": self.orders[order_id].etsy_receipt_id,
                 "area_in2": round(area, 3), "film_in": round(total_length_in * area / total, 3)}
                for order_id, area in sorted(self.order_area.items())]


def pieces(session: Session, job: job_model.PrintJob, params: dict[str, Any], layout: dict[str, Any],
           designs: Mapping[str, gang_items.Design]) -> Pieces:
    """Who each placed piece is for: its label, order, buyer, item, size and personalization."""
    items = {i.id: i for i in session.scalars(select(order_model.OrderItem).where(
        order_model.OrderItem.print_job_id == job.id).order_by(order_model.OrderItem.id))}
    orders = {o.id: o for o in session.scalars(select(order_model.Order).where(
        order_model.Order.id.in_({i.order_id for i in items.values()})))}
    by_group = {f"R{o.etsy_receipt_id}": o for o in orders.values()}
    sizes = _sizes(session, params.get("template_id"))
    specs = {(s["file_id"], s.get("group")): s for s in params["items"]}
    result = Pieces({}, orders, items, {}, collections.defaultdict(float))
    for n, sheet in enumerate(layout["sheets"], start=1):
        placed = result.by_sheet.setdefault(n, [])
        for index, p in enumerate(sheet["placements"]):
            design = designs[p["key"]]
            file_id, group = design.file.id, p.get("group")
            spec = specs.get((file_id, group)) or {}
            order = by_group.get(group or "")
            text = spec.get("personalization") or ""
            item = _item_for(items, order, _source_design(design.file), text)
            name = design.file.filename.rsplit(".", 1)[0]
            label = labels.clean_text(f"{n}-{index + 1} {group or name[:24]}")
            placed.append(documents.Piece(
                label=label, sheet=n, order_ref=group or "", buyer=(order.buyer_name or "") if order else "",
                item=(item.title or "") if item else name, size=sizes.get(spec.get("size_id") or 0, _inches(p)),
                personalization=text))
            result.piece_items[label] = item.id if item else None
            if order is not None:
                result.order_area[order.id] += float(p["width"]) * float(p["height"])
    return result


def store(run: work.Run, job: job_model.PrintJob, found: Pieces) -> set[int]:
    """The pick list and one packing slip per order, as this job's outputs; their file ids."""
    made: set[int] = set()
    every = [p for sheet in sorted(found.by_sheet) for p in found.by_sheet[sheet]]
    with tempfile.TemporaryDirectory(prefix="esa-docs-") as tmp:
        path = os.path.join(tmp, "pick-list.pdf")
        documents.pick_list(f"Pick list: gang sheet job {job.id}, {len(found.by_sheet)} sheet(s)", every, path,
                            job.created_at)
        made.add(_keep(run, job, path, outputs.output_name(job, "pick-list", "all", ".pdf"), ["pick-list"]))
        for order in sorted(found.orders.values(), key=lambda o: o.etsy_receipt_id):
            path = os.path.join(tmp, f"slip-{order.id}.pdf")
            documents.packing_slip(_slip(run.session, found, order, every), path, job.created_at)
            name = outputs.output_name(job, "packing-slip", f"R{order.etsy_receipt_id}", ".pdf")
            made.add(_keep(run, job, path, name, ["packing-slip", f"order-{order.id}"]))
    return made


def _keep(run: work.Run, job: job_model.PrintJob, path: str, name: str, tags: list[str]) -> int:
    row = outputs.store(run, job, path, file_type="exports", filename=name, mime_type="application/pdf", tags=tags)
    run.session.commit()
    return row.id


def _slip(session: Session, found: Pieces, order: order_model.Order,
          every: list[documents.Piece]) -> documents.Slip:
    shop = session.get(shop_model.Shop, order.shop_id)
    org = rows.get(session, org_model.Organization, order.org_id, "Organization")
    lines = []
    for item in (i for i in found.items.values() if i.order_id == order.id):
        mine = [p for p in every if found.piece_items.get(p.label) == item.id]
        lines.append(documents.SlipLine(
            item=item.title or f"Item {item.etsy_transaction_id}", size=mine[0].size if mine else "",
            quantity=item.quantity, personalization=item.personalization or "",
            labels=", ".join(p.label.split(" ", 1)[0] for p in mine)))
    ordered = order.etsy_created_at.date().isoformat() if order.etsy_created_at else ""
    return documents.Slip(shop=(shop.name if shop and shop.name else org.name), order_ref=f"R{order.etsy_receipt_id}",
                          buyer=order.buyer_name or "", ordered=ordered, lines=lines)


def _item_for(items: dict[int, order_model.OrderItem], order: order_model.Order | None, design_id: int | None,
              text: str) -> order_model.OrderItem | None:
    if order is None:
        return None
    mine = [i for i in items.values() if i.order_id == order.id]
    return (next((i for i in mine if i.design_file_id == design_id and (i.personalization or "") == text), None)
            or next((i for i in mine if i.design_file_id == design_id), None))


def _source_design(row: file_model.File | None) -> int | None:
    """The design a piece prints: a personalized file names its source design in its tags."""
    if row is None:
        return None
    if "personalized" in (row.tags or []):
        return next((int(t[7:]) for t in row.tags if t.startswith("design-") and t[7:].isdigit()), row.id)
    return row.id


def _sizes(session: Session, template_id: int | None) -> dict[int, str]:
    template = session.get(template_model.Template, template_id) if template_id else None
    return {s.id: s.name for s in template.sizes} if template is not None else {}


def _inches(placement: dict[str, Any]) -> str:
    return f"{float(placement['width']):g} x {float(placement['height']):g} in"
