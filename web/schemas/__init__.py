"""Marshmallow schemas, one module per resource, named by role."""
