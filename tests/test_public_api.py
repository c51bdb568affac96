"""The package's public API is exactly what ``__all__`` says."""

from __future__ import annotations

import productpath


def test_all_names_exist() -> None:
    for name in productpath.__all__:
        assert hasattr(productpath, name), name


def test_no_undeclared_public_names() -> None:
    public = {n for n in vars(productpath) if not n.startswith("_")}
    modules = {n for n, v in vars(productpath).items() if type(v).__name__ == "module"}
    assert public - modules <= set(productpath.__all__)


def test_user_errors_share_one_base() -> None:
    for name in productpath.__all__:
        obj = getattr(productpath, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, productpath.ProductpathError)


def test_every_user_error_is_public_and_in_the_documented_tree() -> None:
    # A user error the CLI and web can raise must be importable from the package and drawn in
    # the exception tree at the top of errors.py, which is the one place it is documented.
    import productpath.errors as errors

    tree = errors.__doc__ or ""
    for name, obj in vars(errors).items():
        if isinstance(obj, type) and issubclass(obj, errors.ProductpathError):
            assert name in productpath.__all__, name
            assert name in tree, name
