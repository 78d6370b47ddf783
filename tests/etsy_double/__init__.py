"""A local test double of Etsy's Open API v3, built from and checked against Etsy's published spec."""
