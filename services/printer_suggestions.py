"""Printer suggestions: common presets, DPI options, and the widths and DPIs an organization actually uses."""
from __future__ import annotations

import collections
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, case, func, select
from sqlalchemy.orm import Session

from models import print_job as job_model
from models import printer as printer_model
from models import template as template_model

Printer = printer_model.Printer
_FILM = ["dtf_film_hot_peel", "dtf_film_cold_peel"]
_SUBLIMATION = ["sublimation_paper", "sublimation_paper_tacky"]
PRESETS: tuple[dict[str, Any], ...] = (
    {"key": "dtf-22-roll", "name": "DTF 22-inch roll", "printer_type": "dtf", "max_width_in": 22.0,
     "max_height_in": None, "dpi": 300, "supported_media": _FILM,
     "reason": "The most common production DTF width; gang sheets are sold by the foot at 22 in"},
    {"key": "dtf-24-roll", "name": "DTF 24-inch roll", "printer_type": "dtf", "max_width_in": 24.0,
     "max_height_in": None, "dpi": 300, "supported_media": _FILM,
     "reason": "60 cm DTF printers: one more column of designs per gang sheet row than 22 in"},
    {"key": "dtf-13-desktop", "name": "DTF 13-inch desktop", "printer_type": "dtf", "max_width_in": 13.0,
     "max_height_in": None, "dpi": 300, "supported_media": [*_FILM, "dtf_film_sheets"],
     "reason": "A3+ desktop DTF (13 in roll or 13x19 in sheets) for small shops and samples"},
    {"key": "uvdtf-a3", "name": "UV-DTF A3", "printer_type": "uvdtf", "max_width_in": 11.7,
     "max_height_in": 16.5, "dpi": 600, "supported_media": ["uvdtf_ab_film"],
     "reason": "A3 UV-DTF for cup wraps and hard-surface decals, whose fine detail wants 600 DPI"},
    {"key": "sublimation-letter", "name": "Sublimation letter", "printer_type": "sublimation",
     "max_width_in": 8.5, "max_height_in": 11.0, "dpi": 300, "supported_media": _SUBLIMATION,
     "reason": "Desktop sublimation on US letter paper for mugs, tumblers and small blanks"},
    {"key": "sublimation-a4", "name": "Sublimation A4", "printer_type": "sublimation", "max_width_in": 8.27,
     "max_height_in": 11.69, "dpi": 300, "supported_media": _SUBLIMATION,
     "reason": "Desktop sublimation on A4 paper (outside the US)"},
    {"key": "sublimation-a3", "name": "Sublimation A3", "printer_type": "sublimation", "max_width_in": 11.69,
     "max_height_in": 16.54, "dpi": 300, "supported_media": _SUBLIMATION,
     "reason": "Wide desktop sublimation for shirt fronts, pillows and larger blanks"},
)
DPI_PRESETS = (
    (300, "The standard for DTF and sublimation transfers: sharp at viewing distance, modest files"),
    (400, "More detail for small text and thin lines, at 1.8x the pixels of 300 DPI"),
    (600, "Fine detail for UV-DTF decals and small prints; files are 4x the pixels of 300 DPI"),
)


def suggestions(session: Session) -> dict[str, Any]:
    """Printer presets, DPI options and the org's most used widths and DPIs, each with a reason."""
    active = session.scalars(select(Printer).where(Printer.is_active.is_(True))).all()
    usage = _history(session)
    printers = [{**preset, "source": "preset", "already_covered": any(_covers(p, preset) for p in active)}
                for preset in PRESETS]
    widths = _ranked(usage["template_widths"], usage["job_widths"], "width_in", "in wide",
                     lambda w: any(float(p.max_width_in) + 1e-9 >= w for p in active))
    dpis = _ranked(usage["template_dpis"], usage["job_dpis"], "dpi", "DPI",
                   lambda d: any(p.dpi >= d for p in active))
    seen = {d["dpi"] for d in dpis}
    dpis += [{"dpi": dpi, "source": "preset", "templates": 0, "completed_jobs": 0, "reason": reason,
              "already_covered": any(p.dpi >= dpi for p in active)} for dpi, reason in DPI_PRESETS if dpi not in seen]
    return {"printers": printers, "widths": widths, "dpis": dpis}


def _covers(row: Printer, preset: dict[str, Any]) -> bool:
    tall_enough = row.max_height_in is None or (
        preset["max_height_in"] is not None and float(row.max_height_in) + 1e-9 >= preset["max_height_in"])
    return (row.printer_type == preset["printer_type"] and float(row.max_width_in) + 1e-9 >= preset["max_width_in"]
            and row.dpi >= preset["dpi"] and tall_enough)


def _ranked(templates: collections.Counter, jobs: collections.Counter, key: str, unit: str,
            covered: Callable[[Any], bool], limit: int = 5) -> list[dict[str, Any]]:
    total = templates + jobs
    return [{key: value, "source": "history", "templates": templates[value], "completed_jobs": jobs[value],
             "reason": f"{value:g} {unit}: used by {templates[value]} template(s) and {jobs[value]} completed job(s)",
             "already_covered": covered(value)}
            for value, _ in sorted(total.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def _history(session: Session) -> dict[str, collections.Counter]:
    job, tpl = job_model.PrintJob, template_model.Template
    templates_w = dict(session.execute(select(tpl.canvas_width_in, func.count()).group_by(tpl.canvas_width_in)).all())
    templates_d = dict(session.execute(select(tpl.dpi, func.count()).group_by(tpl.dpi)).all())
    # A job's own parameters win (a gang sheet's roll width); else the template it was made from.
    width = case((func.jsonb_typeof(job.params["width_in"]) == "number",
                  job.params["width_in"].astext.cast(Numeric())), else_=tpl.canvas_width_in)
    dpi = case((func.jsonb_typeof(job.params["dpi"]) == "number",
                job.params["dpi"].astext.cast(Numeric())), else_=tpl.dpi)
    # Grouped outside a subquery: the bound JSON keys would make GROUP BY differ from the selected expressions.
    per_job = (select(width.label("width"), dpi.label("dpi")).select_from(job)
               .outerjoin(tpl, tpl.id == job.template_id).where(job.status == "completed").subquery())
    completed = select(per_job.c.width, per_job.c.dpi, func.count()).group_by(per_job.c.width, per_job.c.dpi)
    jobs_w: collections.Counter = collections.Counter()
    jobs_d: collections.Counter = collections.Counter()
    for w, d, n in session.execute(completed):
        # Job parameters are free-form: only plausible values count.
        if w is not None and 0 < w <= 1000:
            jobs_w[_inches(w)] += n
        if d is not None and 72 <= d <= 4800:
            jobs_d[int(d)] += n
    return {"template_widths": collections.Counter({_inches(w): n for w, n in templates_w.items()}),
            "template_dpis": collections.Counter({int(d): n for d, n in templates_d.items()}),
            "job_widths": jobs_w, "job_dpis": jobs_d}


def _inches(value: Decimal | float) -> float:
    return round(float(value), 3)
