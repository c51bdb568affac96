"""Insight engine: embed -> cluster -> label -> sentiment/kind -> trends. Pure: no store, no web."""
