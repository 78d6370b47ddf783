from __future__ import annotations

import itertools

import pytest

from prepress import labels


def test_label_is_file_name_and_order_reference():
    assert labels.design_label("rose.png", "3012345678") == "rose.png · order 3012345678"
    assert labels.design_label("rose.png") == "rose.png"
    assert labels.design_label("rose.png", "  ") == "rose.png"


@pytest.mark.parametrize("raw, clean", [
    ("a\nb\tc  d", "a b c d"),
    ("bell\x07 and nul\x00", "bell and nul"),
    ("evil\u202egnp.exe", "evilgnp.exe"),
    ("  <b>&\"quoted\"</b> ", "<b>&\"quoted\"</b>"),
    ("café 🌹.png", "café 🌹.png"),
])
def test_text_is_one_clean_line(raw, clean):
    assert labels.clean_text(raw) == clean


def test_unique_labels_pass_through():
    designs = {"1": ("rose.png", "100"), "2": ("rose.png", "101"), "3": ("tulip.png", None)}
    assert labels.design_labels(designs) == {"1": "rose.png · order 100", "2": "rose.png · order 101",
                                             "3": "tulip.png"}


def test_collisions_are_numbered_in_natural_key_order_whatever_the_input_order():
    designs = {"item-10": ("rose.png", "7"), "item-2": ("rose.png", "7"), "item-1": ("rose.png", "7"),
               "x": ("tulip.png", None)}
    expected = {"item-1": "rose.png · order 7 (1)", "item-2": "rose.png · order 7 (2)",
                "item-10": "rose.png · order 7 (3)", "x": "tulip.png"}
    for order in itertools.permutations(designs):
        result = labels.design_labels({k: designs[k] for k in order})
        assert result == expected and list(result) == list(order)


def test_numbering_skips_labels_that_already_exist():
    designs = {"a": ("rose.png", None), "b": ("rose.png", None), "c": ("rose.png (1)", None),
               "d": ("rose.png (3)", None)}
    assert labels.design_labels(designs) == {"a": "rose.png (2)", "b": "rose.png (4)", "c": "rose.png (1)",
                                             "d": "rose.png (3)"}


def test_keys_equal_as_numbers_still_order_deterministically():
    designs = {"1": ("a.png", None), "01": ("a.png", None)}
    assert labels.design_labels(designs) == {"1": "a.png (2)", "01": "a.png (1)"}
    assert labels.design_labels(dict(reversed(designs.items()))) == {"01": "a.png (1)", "1": "a.png (2)"}


def test_nameless_designs_are_called_by_key():
    assert labels.design_labels({"42": ("", None), "43": ("\n", "9")}) == {"42": "design 42",
                                                                          "43": "design 43 · order 9"}
