"""Refit the seed kind classifier and store it as the shipped, precomputed fit.

Run after editing the kind seed examples, features or settings (tests/test_insights_kind_model.py
fails until the stored fit matches a fresh one):

    python tools/write_kind_model.py
"""

from __future__ import annotations

from productpath.insights.kind import write_default_model

if __name__ == "__main__":
    print(f"wrote the fitted seed classifier to {write_default_model()}")
