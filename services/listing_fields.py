"""What a listing draft sends to Etsy: createDraftListing's fields and updateListingInventory's products."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from models import file as file_model
from models import listing_draft as draft_model
from models import template as template_model
from services import matching

# Etsy's first custom variation property: sizes of a transfer are not one of its standard size scales.
SIZE_PROPERTY = 513
SIZE_NAME = "Size"


def design_name(design: file_model.File) -> str:
    """The design's name as a buyer reads it: its file name without extension, separators as spaces."""
    return re.sub(r"[_\s]+", " ", design.filename.rsplit(".", 1)[0]).strip()


def fill(text: str, design: file_model.File) -> str:
    """`text` with {design} replaced by the design's name."""
    return text.replace("{design}", design_name(design))


def listed_sizes(template: template_model.Template, spec: dict[str, Any]) -> list[template_model.TemplateSize]:
    """The template's sizes that have a price, in the template's order."""
    return sorted((s for s in template.sizes if str(s.id) in spec["prices"]), key=lambda s: (s.sort_order, s.id))


def draft_fields(draft: draft_model.ListingDraft, template: template_model.Template) -> dict[str, Any]:
    """createDraftListing's form fields: the lowest size price is the listing's price."""
    spec = draft.spec
    fields: dict[str, Any] = {
        "quantity": spec["quantity"], "title": spec["title"], "description": spec["description"],
        "price": float(min(Decimal(p) for p in spec["prices"].values())), "who_made": spec["who_made"],
        "when_made": spec["when_made"], "taxonomy_id": spec["taxonomy_id"],
        "shipping_profile_id": spec["shipping_profile_id"], "shop_section_id": spec.get("shop_section_id"),
        "tags": spec.get("tags") or None, "materials": spec.get("materials") or None, "is_supply": False,
        "type": "physical",
    }
    area = template.personalization
    if area:
        fields.update(is_personalizable=True, personalization_is_required=bool(area.get("required", True)),
                      personalization_char_count_max=int(area["max_length"]),
                      personalization_instructions=spec.get("personalization_instructions")
                      or f"Text to print, at most {area['max_length']} characters")
    return fields


def inventory(draft: draft_model.ListingDraft, template: template_model.Template,
              design: file_model.File | None) -> dict[str, Any]:
    """One product per listed size with its price and SKU; a single size is a listing without variations."""
    sizes = listed_sizes(template, draft.spec)
    varied = len(sizes) > 1
    stem = re.sub(r"[^A-Za-z0-9]+", "-", design_name(design) if design else f"design-{draft.id}").strip("-")
    products = []
    for size in sizes:
        products.append({
            "sku": f"{stem[:40]}-{re.sub(r'[^A-Za-z0-9]+', '', size.name)[:16]}".upper(),
            "property_values": [{"property_id": SIZE_PROPERTY, "property_name": SIZE_NAME, "value_ids": [],
                                 "values": [size.name]}] if varied else [],
            "offerings": [{"price": float(Decimal(draft.spec["prices"][str(size.id)])),
                           "quantity": draft.spec["quantity"], "is_enabled": True, "readiness_state_id": None}],
        })
    on = [SIZE_PROPERTY] if varied else []
    return {"products": products, "price_on_property": on, "quantity_on_property": [], "sku_on_property": on}


def rules(template: template_model.Template, spec: dict[str, Any]) -> list[tuple[dict[str, str], int]]:
    """(variation values, size id) of each matching rule the listing needs: one per size, or one for the listing."""
    sizes = listed_sizes(template, spec)
    if len(sizes) == 1:
        return [({}, sizes[0].id)]
    return [({SIZE_NAME: s.name}, s.id) for s in sizes]


def rule_key(variations: dict[str, str]) -> str:
    """The rule's variation key, as matching compares them."""
    return matching.variation_key(variations)
