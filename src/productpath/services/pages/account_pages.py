"""The admins' accounts page: who has a role on this product, the customer each is from (whose
revenue weights their portal votes) and what one of their votes counts; admins change the link.

Only accounts with a role on the product are shown and may be changed here, so an admin of one
product cannot touch the accounts of another.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from productpath.errors import NotFoundError
from productpath.services.accounts import list_users, set_customer
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, product_repo


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class AccountLine(_View):
    email: str
    name: str
    role: str
    customer: str | None
    vote_weight: float


class CustomerChoice(_View):
    key: str
    name: str


class AccountsPage(_View):
    product: str
    accounts: tuple[AccountLine, ...]
    customers: tuple[CustomerChoice, ...]


def accounts_page(handle: OpenWorkspace) -> AccountsPage:
    product = handle.workspace.product
    lines = []
    for row in list_users(handle):
        role = dict(row.roles).get(product)
        if role is not None:
            lines.append(
                AccountLine(
                    email=row.email,
                    name=row.name,
                    role=role,
                    customer=row.customer,
                    vote_weight=row.vote_weight,
                )
            )
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, product)
        found = customer_repo.by_key(session, product_id) if product_id is not None else {}
        customers = tuple(CustomerChoice(key=k, name=c.name) for k, c in sorted(found.items()))
    return AccountsPage(product=product, accounts=tuple(lines), customers=customers)


def link_customer(handle: OpenWorkspace, email: str, customer: str | None) -> AccountLine:
    """Link an account with a role on this product to one of its customers (None: unlink)."""
    page = accounts_page(handle)
    if not any(a.email == email.strip().lower() for a in page.accounts):
        raise NotFoundError(f"no account '{email.strip()}' on product '{page.product}'")
    row = set_customer(handle, email, customer)
    return next(a for a in accounts_page(handle).accounts if a.email == row.email)
