"""Matching order items to designs: mapping rules first (most specific wins), then the SKU."""
from __future__ import annotations

import collections
import heapq
import json
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import file as file_model
from models import order as order_model


def variation_key(variations: dict[str, Any] | None) -> str:
    """Canonical text of variation values, so equal choices compare equal whatever their order."""
    return json.dumps(variations, sort_keys=True, separators=(",", ":")) if variations else ""


def match_items(session: Session, items: Iterable[order_model.OrderItem]) -> int:
    """Match every unmatched item it can; returns how many were matched (two queries, whatever the batch size)."""
    pending = [item for item in items if item.match_status == "unmatched"]
    if not pending:
        return 0
    rules = _rules_by_listing(session, {i.listing_id for i in pending if i.listing_id is not None})
    designs = _designs_by_sku(session, {i.sku for i in pending if i.sku})
    matched = 0
    for item in pending:
        rule = _best_rule(rules.get(item.listing_id, []) if item.listing_id is not None else [], item)
        if rule is not None:
            _apply(item, rule.design_file_id, rule.template_id, rule.size_id, "rule", rule.id)
            matched += 1
        elif item.sku and item.sku.lower() in designs:
            _apply(item, designs[item.sku.lower()], None, None, "sku", None)
            matched += 1
    return matched


def _rules_by_listing(session: Session, listing_ids: set[int]) -> dict[int, list[order_model.DesignMapping]]:
    out: dict[int, list[order_model.DesignMapping]] = {}
    if listing_ids:
        for rule in session.scalars(select(order_model.DesignMapping).where(
                order_model.DesignMapping.listing_id.in_(listing_ids)).order_by(order_model.DesignMapping.id)):
            out.setdefault(rule.listing_id, []).append(rule)
    return out


def _best_rule(rules: list[order_model.DesignMapping], item: order_model.OrderItem) -> order_model.DesignMapping | None:
    best, best_score = None, -1
    for rule in rules:
        if rule.sku and rule.sku != (item.sku or ""):
            continue
        if rule.variations and any(item.variations.get(k) != v for k, v in rule.variations.items()):
            continue
        # A rule naming the SKU or more variation values is more specific than a listing-wide one.
        score = (1 if rule.sku else 0) * 100 + len(rule.variations or {})
        if score > best_score:
            best, best_score = rule, score
    return best


def _designs_by_sku(session: Session, skus: set[str]) -> dict[str, int]:
    """Lower-cased SKU -> the oldest live design named after it ("TEE-CAT-01.png") or tagged "sku:TEE-CAT-01"."""
    if not skus:
        return {}
    stem = func.lower(func.regexp_replace(file_model.File.filename, r"\.[^.]+$", ""))
    rows = session.execute(select(stem, file_model.File.tags, file_model.File.id).where(
        file_model.File.file_type == "designs", file_model.File.status.in_(file_model.LIVE_STATUSES),
        or_(stem.in_([s.lower() for s in skus]), file_model.File.tags.overlap([f"sku:{s}" for s in skus])))
        .order_by(file_model.File.id)).all()
    out: dict[str, int] = {}
    for name, tags, file_id in rows:
        for key in [name] + [t[4:].lower() for t in tags if t.startswith("sku:")]:
            out.setdefault(key, file_id)
    return out


def _apply(item: order_model.OrderItem, design_id: int, template_id: int | None, size_id: int | None, by: str,
           mapping_id: int | None) -> None:
    item.design_file_id, item.template_id, item.size_id = design_id, template_id, size_id
    item.match_status, item.matched_by, item.mapping_id = "matched", by, mapping_id


def manual_match(session: Session, item: order_model.OrderItem, *, design_file_id: int, template_id: int | None,
                 size_id: int | None, scope: str) -> tuple[order_model.DesignMapping | None, int]:
    """Match one item by hand and (unless scope is "item") save the rule and apply it to other unmatched items."""
    if scope == "item" or item.listing_id is None:
        _apply(item, design_file_id, template_id, size_id, "manual", None)
        return None, 0
    sku = (item.sku or "") if scope in ("sku", "variation") else ""
    variations = item.variations if scope == "variation" else {}
    key = variation_key(variations)
    rule = session.scalar(select(order_model.DesignMapping).where(
        order_model.DesignMapping.listing_id == item.listing_id, order_model.DesignMapping.sku == sku,
        order_model.DesignMapping.variation_key == key))
    if rule is None:
        rule = order_model.DesignMapping(listing_id=item.listing_id, sku=sku, variations=variations,
                                         variation_key=key, design_file_id=design_file_id)
        session.add(rule)
    rule.design_file_id, rule.template_id, rule.size_id = design_file_id, template_id, size_id
    session.flush()
    _apply(item, design_file_id, template_id, size_id, "manual", rule.id)
    others = session.scalars(select(order_model.OrderItem).where(
        order_model.OrderItem.match_status == "unmatched", order_model.OrderItem.listing_id == item.listing_id,
        order_model.OrderItem.id != item.id)).all()
    return rule, match_items(session, others)


def suggestions(session: Session, items: list[order_model.OrderItem],
                limit: int = 3) -> dict[int, list[file_model.File]]:
    """Per item id, design files whose names share words with its SKU or title (one query for the whole page)."""
    words = {item.id: {w for w in re.split(r"[^a-z0-9]+", f"{item.sku or ''} {item.title or ''}".lower())
                       if len(w) >= 3} for item in items}
    every = sorted(set().union(*words.values()))[:60] if words else []
    if not every:
        return {item.id: [] for item in items}
    name = func.lower(file_model.File.filename)
    # Ids and names of up to 500 candidates first; whole rows only for the few suggested.
    candidates = session.execute(select(file_model.File.id, file_model.File.filename).where(
        file_model.File.file_type == "designs", file_model.File.status.in_(file_model.LIVE_STATUSES),
        or_(*[name.contains(w, autoescape=True) for w in every])).order_by(file_model.File.id).limit(500)).all()
    # Which candidates hold each word, found once per word rather than once per item and candidate.
    names = [filename.lower() for _, filename in candidates]
    holding: dict[str, list[int]] = {}
    ranked: dict[frozenset[str], list[int]] = {}  # items with the same words share their answer
    for mine in words.values():
        key = frozenset(mine)
        if key not in ranked:
            scores: collections.Counter[int] = collections.Counter()
            for w in mine:
                if w not in holding:
                    holding[w] = [i for i, name in enumerate(names) if w in name]
                scores.update(holding[w])
            # Most shared words first, then the lowest id (candidates come in id order, so their index orders alike).
            best = heapq.nsmallest(limit, [(-count, i) for i, count in scores.items()])
            ranked[key] = [candidates[i].id for _, i in best]
    wanted = {file_id for ids in ranked.values() for file_id in ids}
    rows = {f.id: f for f in session.scalars(select(file_model.File).where(file_model.File.id.in_(wanted)))} \
        if wanted else {}
    return {item_id: [rows[i] for i in ranked[frozenset(mine)] if i in rows] for item_id, mine in words.items()}
