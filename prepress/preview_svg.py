"""The SVG preview: the sheet at its true proportions, each design embedded once and drawn at every placement.

User units are hundredths of an inch (browsers treat very small font sizes unevenly, so inches are not used
directly). Each design is one <symbol> holding its thumbnail as a data URI, cut to its crop by the symbol's
viewBox; every piece is a <use> of it, turned a quarter turn clockwise when rotated, as the renderer turns it.
Each piece also carries its full label as a <title>, so a truncated label is never lost.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from prepress import preview_art, preview_sheet

SVG_NS = "http://www.w3.org/2000/svg"
UNIT = 100  # user units per inch
# XML 1.0 cannot hold these characters even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_AVERAGE_ADVANCE = 0.62  # of the font size: DejaVu Sans digits are 0.64, Arial letters about 0.5


def render(sheet: preview_sheet.Sheet, art: Mapping[str, preview_art.Source | None],
           crops: Mapping[str, preview_sheet.Crop], labels: Mapping[str, str], header: list[str],
           px_per_inch: float, embed_format: str) -> str:
    """The SVG document as text."""
    header_px = 40
    header_u, margin_u = header_px / px_per_inch * UNIT, 8 / px_per_inch * UNIT
    width_u, length_u = sheet.width * UNIT, sheet.length * UNIT
    root = ET.Element("svg", {
        "xmlns": SVG_NS, "version": "1.1", "font-family": "sans-serif",
        "width": _num(sheet.width * px_per_inch + 16), "height": _num(sheet.length * px_per_inch + header_px + 8),
        "viewBox": " ".join(_num(v) for v in (-margin_u, -header_u, width_u + 2 * margin_u,
                                                length_u + header_u + margin_u))})
    ET.SubElement(root, "title").text = _text(header[0])
    symbols = _symbols(ET.SubElement(root, "defs"), sheet, art, crops, embed_format)
    head = ET.SubElement(root, "g", {"class": "header", "fill": "#111"})
    for n, line in enumerate(header):
        ET.SubElement(head, "text", {"x": "0", "y": _num(-header_u + (15 + 16 * n) / px_per_inch * UNIT),
                                     "font-size": _num(13 / px_per_inch * UNIT)}).text = _text(line)
    ET.SubElement(root, "rect", {"class": "sheet", "x": "0", "y": "0", "width": _num(width_u),
                                 "height": _num(length_u), "fill": "#e9ebee", "stroke": "#3c4048",
                                 "stroke-width": _num(1 / px_per_inch * UNIT)})
    for p in sheet.pieces:
        _piece(root, p, symbols.get(p.key), labels.get(p.key), px_per_inch)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _symbols(defs: ET.Element, sheet: preview_sheet.Sheet, art: Mapping[str, preview_art.Source | None],
             crops: Mapping[str, preview_sheet.Crop], embed_format: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for key in dict.fromkeys(p.key for p in sheet.pieces):
        found = preview_art.data_uri(art.get(key), embed_format)
        if found is None:
            continue
        uri, width, height = found
        crop = preview_art.crop_box(crops.get(key, (0.0, 0.0, 1.0, 1.0)), width, height)
        ids[key] = f"art-{len(ids)}"
        symbol = ET.SubElement(defs, "symbol", {"id": ids[key], "viewBox": " ".join(map(str, crop)),
                                                "preserveAspectRatio": "none"})
        ET.SubElement(symbol, "image", {"href": uri, "width": str(width), "height": str(height),
                                        "preserveAspectRatio": "none"})
    return ids


def _piece(root: ET.Element, p: preview_sheet.Piece, symbol: str | None, label: str | None,
           px_per_inch: float) -> None:
    x, y, w, h = (v * UNIT for v in (p.x, p.y, p.width, p.height))
    group = ET.SubElement(root, "g", {"class": "piece", "data-key": _text(p.key)})
    if label:
        ET.SubElement(group, "title").text = _text(label)
    if symbol is None:
        ET.SubElement(group, "rect", {"class": "missing", "x": _num(x), "y": _num(y), "width": _num(w),
                                      "height": _num(h), "fill": "#c8cdd6"})
    elif p.rotated:
        # The design is h wide and w tall before its quarter turn clockwise about the piece's top-right corner.
        ET.SubElement(group, "use", {"href": f"#{symbol}", "width": _num(h), "height": _num(w),
                                     "transform": f"translate({_num(x + w)} {_num(y)}) rotate(90)"})
    else:
        ET.SubElement(group, "use", {"href": f"#{symbol}", "x": _num(x), "y": _num(y), "width": _num(w),
                                     "height": _num(h)})
    ET.SubElement(group, "rect", {"class": "outline", "x": _num(x), "y": _num(y), "width": _num(w),
                                  "height": _num(h), "fill": "none", "stroke": "#2563eb",
                                  "stroke-width": _num(1 / px_per_inch * UNIT)})
    if label:
        _label(group, x, y, w, h, label, px_per_inch)


def _label(group: ET.Element, x: float, y: float, w: float, h: float, label: str, px_per_inch: float) -> None:
    """Up to two lines at the piece's top-left, in an 11 px font at the nominal scale, shrunk for small pieces.

    Below 6 px at the nominal scale the piece keeps only its <title>: text that small is noise until zoomed.
    """
    size = min(11 / px_per_inch * UNIT, h / 2.6, w / 6)
    if size < 6 / px_per_inch * UNIT:
        return
    pad = size * 0.25
    lines = preview_sheet.label_lines(label)[: max(1, int((h - pad) // (size * 1.25)))]
    per_line = int((w - 2 * pad) / (size * _AVERAGE_ADVANCE))

    def fits(line: str) -> bool:
        return len(line) <= per_line

    fitted = [preview_sheet.fit_text(line, fits) if n == 0 else preview_sheet.fit_reference(line, fits)
              for n, line in enumerate(lines)]
    if not all(fitted) or size * 1.25 > h:
        return
    longest = max(len(line) for line in fitted) * size * _AVERAGE_ADVANCE
    ET.SubElement(group, "rect", {"class": "label-back", "x": _num(x + 1), "y": _num(y + 1),
                                  "width": _num(min(w - 2, longest + 2 * pad)),
                                  "height": _num(len(fitted) * size * 1.25 + pad), "fill": "#fff",
                                  "fill-opacity": "0.85"})
    text = ET.SubElement(group, "text", {"class": "label", "font-size": _num(size), "fill": "#111"})
    for n, line in enumerate(fitted):
        ET.SubElement(text, "tspan", {"x": _num(x + pad), "y": _num(y + pad + size * (1 + 1.25 * n))}).text = \
            _text(line)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"
