"""Names people read for designs (file name and order reference) in preflight findings, previews and job messages."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

# Bidirectional overrides can make "gnp.exe" display as "exe.png"; they never belong in a file name.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(text: str) -> str:
    """`text` on one line: runs of whitespace become one space; control and bidi-override characters go."""
    kept = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI_CONTROLS))
    return " ".join(kept.split())


def design_label(file_name: str, order_ref: str | None = None) -> str:
    """'rose.png · order 1234', or just 'rose.png' without an order reference."""
    name = clean_text(file_name)
    ref = clean_text(order_ref or "")
    return f"{name} · order {ref}" if ref else name


def design_labels(designs: Mapping[str, tuple[str, str | None]]) -> dict[str, str]:
    """A unique label per design key from its (file name, order reference).

    Designs whose labels would be equal are numbered ' (1)', ' (2)'... in natural order of their keys, so the
    result depends only on the keys and names, never on the mapping's order. A design without a file name is
    called 'design {key}'.
    """
    base = {key: design_label(clean_text(name) or f"design {clean_text(key)}", ref)
            for key, (name, ref) in designs.items()}
    counts = Counter(base.values())
    labels = {key: label for key, label in base.items() if counts[label] == 1}
    taken = set(labels.values())
    for label in sorted(label for label, count in counts.items() if count > 1):
        number = 0
        for key in sorted((k for k, v in base.items() if v == label), key=_natural):
            number += 1
            # A file may really be called 'rose.png (2)': skip numbers whose label already exists.
            while f"{label} ({number})" in taken:
                number += 1
            labels[key] = f"{label} ({number})"
            taken.add(labels[key])
    return {key: labels[key] for key in designs}


def _natural(key: str) -> tuple[list[str | int], str]:
    """Sort key putting 'item-2' before 'item-10' (the key itself breaks ties such as '01' and '1')."""
    # re.split with a group alternates text and digit runs, so equal positions always hold the same type.
    parts: list[str | int] = [int(part) if i % 2 else part for i, part in enumerate(re.split(r"([0-9]+)", key))]
    return parts, key
