from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import pytest
import pyvips
from PIL import Image

from prepress import labels, preview
from tests.prepress.preview_helpers import BLUE, GREEN, RED, grid, place, thumb, two_tone

NS = {"svg": "http://www.w3.org/2000/svg"}


def render(sheet, thumbnails, label_map=None, **kwargs):
    kwargs.setdefault("sheet_width", 22)
    text = preview.svg(sheet, thumbnails=thumbnails, labels=label_map or {}, utilization=0.8216,
                       film_length_in=119.96, title="Sheet 2 of 3", **kwargs)
    return text, ET.fromstring(text)


def pieces(root):
    return root.findall("svg:g[@class='piece']", NS)


def test_every_piece_is_drawn_from_one_symbol_per_design():
    sheet = grid(300)
    thumbs = {f"d{n}": thumb(RED) for n in range(30)}
    text, root = render(sheet, thumbs, {k: f"{k}.png · order 7" for k in thumbs})
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(pieces(root)) == 300
    symbols = root.findall("svg:defs/svg:symbol", NS)
    assert len(symbols) == 30 and text.count("data:image/webp;base64,") == 30
    uses = root.findall("svg:g/svg:use", NS)
    assert len(uses) == 300 and {u.get("href") for u in uses} == {f"#{s.get('id')}" for s in symbols}


def test_positions_are_the_placements_in_hundredths_of_an_inch():
    sheet = {"length": 40, "placements": [place("a", 1.5, 2.25, 4, 3), place("b", 10, 20, 4, 2, rotated=True)]}
    _, root = render(sheet, {"a": thumb(RED), "b": thumb(BLUE)})
    first, second = pieces(root)
    use = first.find("svg:use", NS)
    assert [use.get(k) for k in ("x", "y", "width", "height")] == ["150", "225", "400", "300"]
    outline = first.find("svg:rect[@class='outline']", NS)
    assert [outline.get(k) for k in ("x", "y", "width", "height")] == ["150", "225", "400", "300"]
    turned = second.find("svg:use", NS)
    # Designed 2 x 4 in, turned a quarter clockwise about the piece's top-right corner.
    assert (turned.get("width"), turned.get("height")) == ("200", "400")
    assert turned.get("transform") == "translate(1400 2000) rotate(90)"
    sheet_rect = root.find("svg:rect[@class='sheet']", NS)
    assert (sheet_rect.get("width"), sheet_rect.get("height")) == ("2200", "4000")


def test_header_says_utilization_and_film_length():
    _, root = render({"length": 120, "placements": [place("a", 0, 0, 1, 1)]}, {})
    lines = [t.text for t in root.findall("svg:g[@class='header']/svg:text", NS)]
    assert lines == ["Sheet 2 of 3 · 22 x 120.0 in · 1 piece", "Utilization 82.2% · Film 120.0 in"]
    assert root.find("svg:title", NS).text == lines[0]


def test_labels_are_escaped_and_kept_whole_in_titles():
    name = 'rose <b>&"big"</b>.png'
    label = labels.design_labels({'k"1': (name, "3012345678")})['k"1']
    text, root = render({"length": 10, "placements": [place('k"1', 1, 1, 8, 3)]}, {'k"1': thumb(GREEN)},
                        {'k"1': label + "\x00\ufffe"})
    assert "<b>" not in text and "&lt;b&gt;&amp;" in text
    (piece,) = pieces(root)
    assert piece.get("data-key") == 'k"1'
    assert piece.find("svg:title", NS).text == 'rose <b>&"big"</b>.png · order 3012345678'
    shown = [t.text for t in piece.findall("svg:text/svg:tspan", NS)]
    assert shown == ['rose <b>&"big"</b>.png', "order 3012345678"]


def test_long_labels_are_cut_to_fit_but_keep_the_reference_end():
    label = "a-very-long-design-file-name-for-a-small-piece.png · order 3012345678"
    _, root = render({"length": 10, "placements": [place("k", 1, 1, 2, 2)]}, {}, {"k": label})
    name, ref = (t.text for t in pieces(root)[0].findall("svg:text/svg:tspan", NS))
    assert name.startswith("a-very") and name.endswith("…") and len(name) < 20
    assert ref.endswith("345678") and ref.startswith("…")


def test_missing_thumbnails_are_grey_boxes_and_tiny_pieces_have_no_text():
    _, root = render({"length": 10, "placements": [place("gone", 1, 1, 3, 3), place("tiny", 5, 1, 0.1, 0.1)]},
                     {"tiny": thumb(RED)}, {"gone": "gone.png", "tiny": "tiny.png"})
    gone, tiny = pieces(root)
    assert gone.find("svg:rect[@class='missing']", NS) is not None and gone.find("svg:use", NS) is None
    assert tiny.find("svg:text", NS) is None and tiny.find("svg:title", NS).text == "tiny.png"


def embedded(root, n=0):
    href = root.findall("svg:defs/svg:symbol/svg:image", NS)[n].get("href")
    mime, data = href.removeprefix("data:").split(";base64,")
    return mime, Image.open(io.BytesIO(base64.b64decode(data)))


def test_thumbnails_are_embedded_small_in_the_chosen_format(tmp_path):
    path = tmp_path / "full.png"
    Image.new("RGBA", (3000, 1500), RED + (255,)).save(path)
    sheet = {"length": 10, "placements": [place("file", 1, 1, 4, 2), place("small", 1, 5, 2, 2)]}
    _, root = render(sheet, {"file": path, "small": thumb(BLUE)})
    (mime, big), (mime_small, small) = embedded(root, 0), embedded(root, 1)
    assert (mime, big.format, big.size) == ("image/webp", "WEBP", (256, 128))
    assert (mime_small, small.size) == ("image/webp", (160, 160))
    _, root = render(sheet, {"file": path, "small": thumb(BLUE)}, embed_format="png")
    assert {embedded(root, n)[1].format for n in (0, 1)} == {"PNG"}


def test_crop_becomes_the_symbol_viewbox():
    _, root = render({"length": 10, "placements": [place("d", 1, 1, 2, 4)]}, {"d": thumb(GREEN, (200, 200))},
                     crops={"d": (0.25, 0.1, 0.75, 0.9)})
    assert root.find("svg:defs/svg:symbol", NS).get("viewBox") == "50 20 100 160"


def test_it_renders_where_placed_and_turned_as_the_renderer_turns():
    sheet = {"length": 12, "placements": [place("d", 1, 1, 4, 2, rotated=True), place("d", 1, 5, 2, 4),
                                          place("g", 10, 6, 5, 5)]}
    text, _ = render(sheet, {"d": two_tone(RED, BLUE), "g": thumb(GREEN, fmt="PNG")}, embed_format="png",
                     px_per_inch=20)
    image = pyvips.Image.new_from_buffer(text.encode(), "")
    assert (image.width, image.height) == (456, 288)

    def pixel(x_in, y_in):
        # The picture's origin is the header and margin: 8 px left, 40 px above the sheet.
        return image(round(8 + 20 * x_in), round(40 + 20 * y_in))[:3]

    assert pixel(4.5, 2.5) == list(RED) and pixel(1.5, 2.5) == list(BLUE)
    assert pixel(2, 5.5 + 1) == list(RED) and pixel(2, 8.5) == list(BLUE)
    assert pixel(13, 10) == list(GREEN)


@pytest.mark.parametrize("kwargs, message", [({"px_per_inch": 0.5}, "px_per_inch"),
                                             ({"embed_format": "gif"}, "embed_format")])
def test_bad_options(kwargs, message):
    with pytest.raises(preview.PreviewError, match=message):
        render({"length": 10, "placements": []}, {}, **kwargs)
