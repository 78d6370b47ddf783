"""Inputs and renders of bench/raster.py (a package, so that `make bench` does not run them as scripts)."""
