"""The bundled demo workspace: "Pocket", a mobile-payments app (see docs/demo.md)."""

from productpath.demo.builder import (
    FEEDBACK_SOURCE,
    MARKER,
    PRODUCT_NAME,
    DemoSummary,
    build_demo,
    is_demo_workspace,
)

__all__ = [
    "FEEDBACK_SOURCE",
    "MARKER",
    "PRODUCT_NAME",
    "DemoSummary",
    "build_demo",
    "is_demo_workspace",
]
