"""The double's Etsy data: shops, receipts with transactions, listings, images, sections, profiles, taxonomy."""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.etsy_double import receipts, shapes

Json = dict[str, Any]


class Store(receipts.Receipts):
    """Everything the double knows; all access under `lock` (the server is threaded)."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.lock = threading.RLock()
        self.clock = clock
        self.users: dict[int, Json] = {}
        self.shops: dict[int, Json] = {}
        self.receipts: dict[int, dict[int, Json]] = {}
        self.listings: dict[int, Json] = {}
        self.images: dict[int, list[Json]] = {}
        self.inventories: dict[int, Json] = {}
        self._value_ids: dict[str, int] = {}
        self.sections: dict[int, list[Json]] = {}
        self.profiles: dict[int, list[Json]] = {}
        self.taxonomy: list[Json] = [self._taxonomy()]
        self._ids = itertools.count(1_000_001)
        self._templates = {name: shapes.template(name) for name in ("ShopReceipt", "ShopReceiptTransaction", "Shop",
                                                              "ShopListingWithAssociations", "ListingImage", "User")}

    def now(self) -> int:
        """The double's clock, in whole seconds as Etsy's timestamps are."""
        return int(self.clock())

    def next_id(self) -> int:
        """A fresh id (Etsy ids are positive int64)."""
        return next(self._ids)

    def add_shop(self, shop_id: int | None = None, user_id: int | None = None, shop_name: str = "TestPrintShop",
                 **fields: Any) -> Json:
        """A shop and its owner."""
        with self.lock:
            shop_id, user_id = shop_id or self.next_id(), user_id or self.next_id()
            now = self.now()
            self.users[user_id] = dict(self._templates["User"], user_id=user_id, first_name="Test",
                                       last_name="Seller", primary_email=f"u{user_id}@example.com")
            shop = dict(self._templates["Shop"], shop_id=shop_id, user_id=user_id, shop_name=shop_name,
                        login_name=shop_name.lower(), currency_code="USD", create_date=now, created_timestamp=now,
                        update_date=now, updated_timestamp=now, url=f"https://www.etsy.com/shop/{shop_name}",
                        languages=["en-US"], **fields)
            self.shops[shop_id] = shop
            self.receipts[shop_id], self.sections[shop_id] = {}, []
            self.profiles[shop_id] = []
            return shop

    def shop_of_user(self, user_id: int) -> Json | None:
        """The shop `user_id` owns, if any."""
        return next((s for s in self.shops.values() if s["user_id"] == user_id), None)

    def add_listing(self, shop_id: int, *, state: str = "active", title: str = "Test print", sku: str | None = None,
                    price: int = 1999, created: int | None = None, **fields: Any) -> Json:
        """A listing of the shop."""
        with self.lock:
            shop, listing_id = self.shops[shop_id], self.next_id()
            created = created or self.now()
            fields.setdefault("quantity", 10)
            listing = dict(self._templates["ShopListingWithAssociations"], listing_id=listing_id,
                           user_id=shop["user_id"], shop_id=shop_id, title=title, state=state,
                           creation_timestamp=created, created_timestamp=created, original_creation_timestamp=created,
                           ending_timestamp=created + 120 * 86400, last_modified_timestamp=created,
                           updated_timestamp=created, state_timestamp=created, price=shapes.money(price),
                           url=f"https://www.etsy.com/listing/{listing_id}", skus=[sku] if sku else [],
                           **{"who_made": "i_did", "when_made": "made_to_order", **fields})
            self.listings[listing_id] = listing
            self.images[listing_id] = []
            return listing

    def add_image(self, listing_id: int, *, rank: int | None = None, alt_text: str | None = None,
                  width: int = 2000, height: int = 2000) -> Json:
        """An image of the listing at `rank` (appended when None); later ranks shift down."""
        with self.lock:
            images = self.images[listing_id]
            image_id, now = self.next_id(), self.now()
            base = f"https://i.etsystatic.test/{listing_id}/{image_id}"
            image = dict(self._templates["ListingImage"], listing_id=listing_id, listing_image_id=image_id,
                         creation_tsz=now, created_timestamp=now, url_75x75=f"{base}/75x75.jpg",
                         url_170x135=f"{base}/170x135.jpg", url_570xN=f"{base}/570xN.jpg",
                         url_fullxfull=f"{base}/full.jpg", full_width=width, full_height=height, alt_text=alt_text)
            position = len(images) if rank is None else max(0, min(rank - 1, len(images)))
            images.insert(position, image)
            self.rerank(listing_id)
            return image

    def rerank(self, listing_id: int) -> None:
        """Ranks 1..n in list order."""
        for rank, image in enumerate(self.images[listing_id], start=1):
            image["rank"] = rank

    def value_id(self, value: str) -> int:
        """The id Etsy gives a custom property value (the same text, the same id)."""
        with self.lock:
            return self._value_ids.setdefault(value, self.next_id())

    def add_section(self, shop_id: int, title: str) -> Json:
        """A shop section."""
        with self.lock:
            section = {"shop_section_id": self.next_id(), "title": title, "rank": len(self.sections[shop_id]) + 1,
                       "user_id": self.shops[shop_id]["user_id"], "active_listing_count": 0}
            self.sections[shop_id].append(section)
            return section

    def add_shipping_profile(self, shop_id: int, title: str = "Standard") -> Json:
        """A manual shipping profile with one domestic destination."""
        with self.lock:
            profile_id = self.next_id()
            destination = dict(shapes.template("ShopShippingProfileDestination"),
                               shipping_profile_destination_id=self.next_id(), shipping_profile_id=profile_id,
                               origin_country_iso="US", destination_country_iso="US", destination_region="none",
                               primary_cost=shapes.money(500), secondary_cost=shapes.money(100))
            profile = dict(shapes.template("ShopShippingProfile"), shipping_profile_id=profile_id, title=title,
                           user_id=self.shops[shop_id]["user_id"], origin_country_iso="US",
                           shipping_profile_destinations=[destination], origin_postal_code="10001")
            self.profiles[shop_id].append(profile)
            return profile

    def _taxonomy(self) -> Json:
        leaf = dict(shapes.template("SellerTaxonomyNode"), id=2078, level=1, name="Prints", parent_id=1,
                    full_path_taxonomy_ids=[1, 2078])
        return dict(shapes.template("SellerTaxonomyNode"), id=1, level=0, name="Art & Collectibles", children=[leaf],
                    full_path_taxonomy_ids=[1])
