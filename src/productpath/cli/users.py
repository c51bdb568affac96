"""`productpath users add|list|update|role|remove|passwd`: accounts for the web app, their roles
and the customer whose revenue weights their portal votes."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json
from productpath.errors import InputError

if TYPE_CHECKING:
    from productpath.services.accounts import UserRow

app = typer.Typer(
    help="User accounts for the web app and their role on each product. With no accounts the "
    "web app runs in local mode (loopback only, no log-in).",
    no_args_is_help=True,
)

ROLE_HELP = "admin, editor, viewer or stakeholder (portal only)."
PRODUCT_OPTION = typer.Option(
    None, "--product", help="Product key (default: this workspace's product)."
)
STDIN_OPTION = typer.Option(
    False, "--password-stdin", help="Read the password from the first line of standard input."
)
GENERATE_OPTION = typer.Option(
    False,
    "--generate-password",
    help="Make a random password and print it once (give it to the person; they can change it).",
)


CUSTOMER_OPTION = typer.Option(
    None,
    "--customer",
    help="Key of the customer the person is from: the customer's revenue weights their votes.",
)


def _customer_text(row: UserRow) -> str:
    if row.customer is None:
        return ""
    return f"; customer {row.customer} (each vote counts {row.vote_weight:g})"


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    """(the password, whether it was generated here). Never echoes a typed password."""
    from productpath.services.accounts import check_password, generate_password

    if from_stdin and generate:
        raise InputError("use either --password-stdin or --generate-password, not both")
    if generate:
        return generate_password(), True
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        return check_password(line), False
    if not sys.stdin.isatty():
        raise InputError(
            "no terminal to ask for the password; pass --password-stdin (and pipe it in) "
            "or --generate-password"
        )
    while True:
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            return check_password(password), False
        except InputError as exc:
            typer.echo(f"{exc.reason}; try again", err=True)


@app.command("add")
def add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The e-mail address the person logs in with."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    product: str | None = PRODUCT_OPTION,
    name: str = typer.Option("", "--name", help="The person's name, as pages show it."),
    customer: str | None = CUSTOMER_OPTION,
    password_stdin: bool = STDIN_OPTION,
    generate_password: bool = GENERATE_OPTION,
) -> None:
    """Create an account for EMAIL with ROLE on a product; asks for the password twice."""
    from productpath.services.accounts import add_user, check_email, check_role

    check_email(email)
    check_role(role)
    password, generated = _password(password_stdin, generate_password)
    with open_from(ctx) as handle:
        row = add_user(handle, email, role, password, product=product, name=name, customer=customer)
    key, given = row.roles[0]
    typer.echo(f"Added {row.email}: {given} on {key}{_customer_text(row)}")
    if generated:
        typer.echo(f"Password (shown only now): {password}")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List accounts with their role on each product."""
    from productpath.services.accounts import list_users

    with open_from(ctx) as handle:
        rows = list_users(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo(
            "No accounts: the web app runs in local mode. Add one with "
            "'productpath users add EMAIL --role admin'."
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("e-mail", "name", "roles", "active", "customer", "vote")
    for row in rows:
        roles = ", ".join(f"{product}: {role}" for product, role in row.roles) or "none"
        active = "yes" if row.active else "no"
        table.add_row(
            row.email, row.name, roles, active, row.customer or "", f"{row.vote_weight:g}"
        )
    Console().print(table)


@app.command("update")
def update(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The account's e-mail address."),
    customer: str | None = CUSTOMER_OPTION,
    no_customer: bool = typer.Option(
        False, "--no-customer", help="Unlink the customer: each vote counts 1."
    ),
    product: str | None = PRODUCT_OPTION,
) -> None:
    """Link EMAIL to a customer (or unlink it): votes cast from now on carry its weight."""
    from productpath.services.accounts import set_customer

    if no_customer == (customer is not None):
        raise InputError("give either --customer KEY or --no-customer")
    with open_from(ctx) as handle:
        row = set_customer(handle, email, customer, product=product)
    if row.customer is None:
        typer.echo(f"{row.email} has no customer now; each vote counts 1")
    else:
        typer.echo(f"{row.email}{_customer_text(row)}")


@app.command("role")
def role(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The account's e-mail address."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    product: str | None = PRODUCT_OPTION,
) -> None:
    """Give EMAIL a role on a product (adds the product to their account, or changes it)."""
    from productpath.services.accounts import set_role

    with open_from(ctx) as handle:
        key = set_role(handle, email, role, product=product)
    typer.echo(f"{email.strip().lower()} is now {role} on {key}")


@app.command("remove")
def remove(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The account's e-mail address."),
) -> None:
    """Delete the account EMAIL with its roles and API tokens."""
    from productpath.services.accounts import remove_user

    with open_from(ctx) as handle:
        remaining = remove_user(handle, email)
    typer.echo(f"Removed {email.strip().lower()}")
    if not remaining:
        typer.echo(
            "note: no accounts left; a server started from now on runs in local mode "
            "(loopback only, no log-in); running servers keep asking for a log-in until restarted",
            err=True,
        )


@app.command("passwd")
def passwd(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The account's e-mail address."),
    password_stdin: bool = STDIN_OPTION,
    generate_password: bool = GENERATE_OPTION,
) -> None:
    """Set a new password for EMAIL; logs them out of every browser."""
    from productpath.services.accounts import set_password

    password, generated = _password(password_stdin, generate_password)
    with open_from(ctx) as handle:
        set_password(handle, email, password)
    typer.echo(f"New password set for {email.strip().lower()}; their sessions have ended")
    if generated:
        typer.echo(f"Password (shown only now): {password}")


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(app, name="users")
