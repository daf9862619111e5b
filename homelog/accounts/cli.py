"""flask --app homelog users ... / agencies ..."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from homelog.accounts import password_links, second_factor, services
from homelog.accounts.models import Profession, Role
from homelog.core.errors import ApiError
from homelog.extensions import db

users_cli = click.Group("users", help="Manage users.")
agencies_cli = click.Group("agencies", help="Manage agencies.")


def _fail(error: ApiError) -> None:
    detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in (error.fields or {}).items())
    raise click.ClickException(f"{error.message} {detail}".strip())


@agencies_cli.command("create")
@click.argument("name")
@click.option("--kind", default="other", help="e.g. health, police, children_services, housing")
@with_appcontext
def create_agency(name: str, kind: str) -> None:
    """Add an agency."""
    try:
        agency = services.create_agency(name, kind)
    except ApiError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Agency {agency.id}: {agency.name}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_name", required=True, help="The agency's name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--profession", type=click.Choice([p.value for p in Profession]), required=True)
@click.password_option()
@with_appcontext
def create_user(email: str, name: str, agency_name: str, role: str, profession: str,
                password: str) -> None:
    """Add a user with a password typed here: for the operator's first administrator.

    Whoever runs this is the server's operator, not an administrator in the app. People
    are otherwise added in the app (POST /api/v1/users), where nobody sets or sees their
    password: they are sent a link to set it.
    """
    agency = services.find_agency(agency_name)
    if agency is None:
        raise click.ClickException(f"No agency called {agency_name!r}.")
    try:
        user = services.create_user(services.NewUser(
            email=email, name=name, agency_id=agency.id, role=Role(role),
            profession=Profession(profession), password=password,
        ))
    except ApiError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"User {user.id}: {user.email} ({user.role.value}, {agency.name})")


@users_cli.command("create-admin")
@click.option("--email", prompt="The administrator's work email")
@click.option("--name", prompt="Their name")
@click.option("--agency", "agency_name", prompt="Their agency (added if it is new)")
@with_appcontext
def create_admin(email: str, name: str, agency_name: str) -> None:
    """Make the partnership's first administrator, who then sets everything else up in the
    app. Nobody types their password here: they get a one-time link to set it (emailed, or
    printed to hand over when mail is off). Refused once an administrator exists: add
    others in the app."""
    if services.administrators_exist():
        raise click.ClickException("An administrator exists already: add more in the app "
                                   "(Administration, People).")
    try:
        agency = services.find_agency(agency_name) or services.create_agency(agency_name,
                                                                             "other")
        user = services.create_user(services.NewUser(
            email=email, name=name, agency_id=agency.id, role=Role.ADMINISTRATOR,
            profession=Profession.SYSTEM_ADMINISTRATOR))
    except ApiError as error:
        _fail(error)
    sent = password_links.send_new_link(None, user)
    db.session.commit()
    click.echo(f"Administrator {user.id}: {user.email} ({agency.name}).")
    if sent.emailed:
        click.echo(f"Emailed {user.email} a link to set their password.")
    else:
        click.echo(f"Mail is not configured. Hand {user.email} this link to set their password "
                   f"(it works once, until {sent.expires_at:%Y-%m-%d %H:%M} UTC):\n{sent.link}")


@users_cli.command("password-link")
@click.argument("email")
@with_appcontext
def password_link(email: str) -> None:
    """Send a user a one-time link to set their password (printed if mail is off). Audited."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    sent = password_links.send_new_link(None, user)
    db.session.commit()
    if sent.emailed:
        click.echo(f"Emailed {user.email} a link to set their password.")
    else:
        click.echo(f"Mail is not configured. Hand {user.email} this link (it works once, "
                   f"until {sent.expires_at:%Y-%m-%d %H:%M} UTC):\n{sent.link}")


@users_cli.command("disable")
@click.argument("email")
@with_appcontext
def disable_user(email: str) -> None:
    """Disable a user and end their sessions at once."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    services.set_active(None, user, False)
    db.session.commit()
    click.echo(f"Disabled {user.email}; their sessions have ended.")


@users_cli.command("code")
@click.argument("email")
@click.option("--allow-production", is_flag=True,
              help="Print it although HOMELOG_ENV is production (a training server, never live).")
@with_appcontext
def print_code(email: str, allow_production: bool) -> None:
    """Print the code a user's authenticator app shows now (for trying the demo)."""
    if current_app.config["HOMELOG_ENV"] != "development" and not allow_production:
        raise click.ClickException(
            "Printing a code defeats two-step sign-in. Run it with HOMELOG_ENV=development, "
            "or pass --allow-production on a training server.")
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    code = second_factor.current_code(user.id)
    if code is None:
        raise click.ClickException(
            f"{user.email} has not set up two-step sign-in: sign in and follow "
            "\"Set up two-step sign-in\" (the key shown there is all this command needs).")
    click.echo(code)


@users_cli.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor(email: str) -> None:
    """Reset a user's two-step sign-in (a lost phone): they set it up again. Audited."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    services.reset_second_factor(None, user)
    db.session.commit()
    click.echo(f"Reset two-step sign-in for {user.email}; their sessions have ended and they "
               "will set it up again when they next sign in.")
