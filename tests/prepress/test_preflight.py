from __future__ import annotations

import pytest
from PIL import Image

from prepress import preflight

Facts = preflight.DesignFacts


def sheet_of(*placements, length=10.0):
    return {"length": length, "placements": list(placements)}


def place(key, w, h, rotated=False):
    return {"key": key, "x": 0.0, "y": 0.0, "width": w, "height": h, "rotated": rotated}


def codes(findings):
    return sorted((f.level, f.code, f.key) for f in findings)


def check(sheet, facts, **kwargs):
    kwargs.setdefault("dpi", 300)
    return preflight.check_sheet(sheet, 22.0, facts, **kwargs)


def test_resolution_error_below_floor_warning_below_job_dpi():
    facts = {"lo": Facts(100, 100, True), "mid": Facts(200, 200, True), "ok": Facts(300, 300, True),
             "near": Facts(298, 298, True)}
    found = check(sheet_of(place("lo", 1, 1), place("mid", 1, 1), place("ok", 1, 1), place("near", 1, 1)), facts)
    assert codes(found) == [("error", "dpi_below_minimum", "lo"), ("warning", "dpi_below_job", "mid")]
    assert "100 DPI" in next(f.message for f in found if f.key == "lo")
    assert codes(check(sheet_of(place("lo", 1, 1)), facts, min_dpi=90)) == [("warning", "dpi_below_job", "lo")]
    assert codes(check(sheet_of(place("mid", 1, 1)), facts, dpi=200)) == []


def test_resolution_uses_the_lower_axis_and_rotation():
    facts = {"tall": Facts(300, 600, True)}
    assert check(sheet_of(place("tall", 1, 2)), facts) == []
    assert codes(check(sheet_of(place("tall", 2, 1, rotated=True)), facts)) == []
    # Unrotated into a landscape slot the 300 px width spans 2 in: 150 DPI, a warning only.
    assert codes(check(sheet_of(place("tall", 2, 1)), facts)) == [("warning", "dpi_below_job", "tall")]


def test_repeated_placements_report_once():
    facts = {"lo": Facts(100, 100, False)}
    found = check(sheet_of(place("lo", 1, 1), place("lo", 1, 1), place("lo", 2, 2)), facts)
    assert codes(found) == [("error", "dpi_below_minimum", "lo"), ("error", "dpi_below_minimum", "lo"),
                            ("warning", "no_transparency", "lo")]


def test_design_level_findings():
    facts = {"box": Facts(300, 300, False), "clear": Facts(300, 300, True, True), "empty": Facts(0, 0, False)}
    found = check(sheet_of(place("box", 1, 1), place("clear", 1, 1), place("empty", 1, 1), place("gone", 1, 1)), facts)
    assert codes(found) == [("error", "empty_design", "empty"), ("error", "fully_transparent", "clear"),
                            ("error", "missing_design", "gone"), ("warning", "no_transparency", "box")]
    assert preflight.has_errors(found)
    assert not preflight.has_errors([f for f in found if f.level == preflight.WARNING])


def test_printer_limits():
    facts = {"ok": Facts(300, 300, True)}
    sheet = sheet_of(place("ok", 1, 1), length=120.0)
    assert check(sheet, facts) == []
    assert check(sheet, facts, max_width=22, max_length=120) == []
    found = check(sheet, facts, max_width=13, max_length=100)
    assert codes(found) == [("error", "sheet_too_long", None), ("error", "sheet_too_wide", None)]
    assert codes(check(sheet, facts, max_length=100)) == [("error", "sheet_too_long", None)]


def test_check_layout_numbers_sheets_and_takes_width_from_layout():
    layout = {"sheet_width": 24.0, "sheets": [sheet_of(place("ok", 1, 1)), sheet_of(place("lo", 1, 1))]}
    facts = {"ok": Facts(300, 300, True), "lo": Facts(100, 100, True)}
    found = preflight.check_layout(layout, None, facts, dpi=300, max_width=22)
    assert [(f.code, f.sheet) for f in found] == [("sheet_too_wide", 1), ("sheet_too_wide", 2),
                                                  ("dpi_below_minimum", 2)]
    with pytest.raises(ValueError):
        preflight.check_layout({"sheets": [sheet_of()]}, None, facts, dpi=300)


def test_design_facts_from_files(tmp_path):
    partial = Image.new("RGBA", (30, 20), (1, 2, 3, 255))
    partial.putpixel((3, 3), (0, 0, 0, 0))
    partial.save(tmp_path / "partial.png")
    Image.new("RGBA", (30, 20), (9, 9, 9, 255)).save(tmp_path / "opaque_rgba.png")
    Image.new("RGB", (30, 20), "red").save(tmp_path / "rgb.png")
    Image.new("RGBA", (30, 20), (5, 5, 5, 0)).save(tmp_path / "clear.png")
    Image.new("LA", (4, 4), (9, 0)).save(tmp_path / "clear_la.png")
    pal = Image.new("P", (8, 8), 0)
    pal.putpalette([0, 0, 0, 255, 0, 0])
    pal.putpixel((1, 1), 1)
    pal.save(tmp_path / "trns.png", transparency=0)
    (tmp_path / "empty.png").write_bytes(b"")
    got = {p.stem: preflight.design_facts(p) for p in tmp_path.iterdir()}
    assert got == {"partial": Facts(30, 20, True, False), "opaque_rgba": Facts(30, 20, False, False),
                   "rgb": Facts(30, 20, False, False), "clear": Facts(30, 20, True, True),
                   "clear_la": Facts(4, 4, True, True), "trns": Facts(8, 8, True, False),
                   "empty": Facts(0, 0, False, False)}
    assert codes(check(sheet_of(place("empty", 1, 1)), got)) == [("error", "empty_design", "empty")]


def test_collect_facts_reports_missing_and_unreadable(tmp_path):
    Image.new("RGBA", (10, 10)).save(tmp_path / "ok.png")
    (tmp_path / "junk.png").write_bytes(b"not an image")
    facts, found = preflight.collect_facts({"ok": tmp_path / "ok.png", "junk": tmp_path / "junk.png",
                                            "gone": tmp_path / "gone.png"})
    assert facts == {"ok": Facts(10, 10, True, True)}
    assert codes(found) == [("error", "missing_design", "gone"), ("error", "unreadable_design", "junk")]


def test_sheet_length_cap_and_png_limit():
    facts = {"ok": Facts(300, 300, True)}
    sheet = sheet_of(place("ok", 1, 1), length=130.0)
    found = check(sheet, facts, length_cap=120)
    assert codes(found) == [("error", "sheet_too_long", None)] and "sheet length cap of 120 in" in found[0].message
    # 22 x 7,200,000 in at 300 DPI is 2,160,000,000 px long: more than a PNG can hold.
    huge = check(sheet_of(place("ok", 1, 1), length=7_200_000.0), facts)
    assert codes(huge) == [("error", "sheet_too_large", None)] and "a PNG can hold" in huge[0].message


def test_design_over_the_pixel_limit_is_named_with_its_size():
    facts = {"big": Facts(6600, 18000, True), "fine": Facts(300, 300, True)}
    sheet = sheet_of(place("big", 22, 60), place("fine", 1, 1), length=61.0)
    assert check(sheet, facts, max_design_pixels=600_000_000) == []
    found = check(sheet, facts, max_design_pixels=100_000_000)
    assert codes(found) == [("error", "design_too_large", "big")]
    assert "6,600 x 18,000 px (118.8 MP), over the 100 MP limit" in found[0].message


def test_design_facts_of_a_design_over_the_limit_read_only_the_header(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGBA", (400, 300), (0, 0, 0, 0)).save(path)
    # Fully transparent, but over the limit its pixels are not read: check_design refuses it by size instead.
    assert preflight.design_facts(path, max_pixels=100_000) == Facts(400, 300, False, False)
    assert preflight.design_facts(path) == Facts(400, 300, True, True)


def test_design_facts_ignore_pillows_process_wide_limit(tmp_path, monkeypatch):
    path = tmp_path / "tall.png"
    Image.new("RGBA", (200, 900), (0, 0, 0, 255)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert preflight.design_facts(path, max_pixels=10**6) == Facts(200, 900, False, False)
