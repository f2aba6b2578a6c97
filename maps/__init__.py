"""Immune models written and shipped by booleanidt (installed as ``booleanidt.maps``)."""
