"""flask --app homelog demo load"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from homelog.core.errors import ApiError
from homelog.demo import services
from homelog.extensions import db

demo_cli = click.Group("demo", help="The demo partnership.")


@demo_cli.command("load")
@click.option("--allow-production", is_flag=True,
              help="Load even though HOMELOG_ENV is production (a training server, never live).")
@with_appcontext
def load(allow_production: bool) -> None:
    """Load the demo partnership (fictional families, role-named users); safe to run again."""
    if current_app.config["HOMELOG_ENV"] != "development" and not allow_production:
        raise click.ClickException(
            "The demo adds users whose password is printed for anyone to read. Run it with "
            "HOMELOG_ENV=development, or pass --allow-production on a training server."
        )
    try:
        result = services.load_demo()
    except ApiError as error:
        db.session.rollback()
        raise click.ClickException(f"Could not load the demo: {error.message} "
                                   f"{error.fields or ''}".strip()) from error
    db.session.commit()
    click.echo(_headline(result))
    _echo_logins(result.logins)


def _headline(result: services.DemoLoad) -> str:
    if not result.created:
        added = result.counts.get("photos", 0)
        return "Demo partnership already loaded." + (f" Added {added} photos." if added else "")
    counts = result.counts
    return (f"Demo partnership loaded: {counts['agencies']} agencies, {counts['users']} users, "
            f"{counts['families']} families, {counts['visits']} visits "
            f"({counts.get('amendments', 0)} amended), {counts['events']} events, "
            f"{counts.get('photos', 0)} photos.")


def _echo_logins(logins: list[services.Login]) -> None:
    click.echo("Sign in with (email, password, role, agency):")
    width = max(len(login.email) for login in logins)
    role_width = max(len(login.role) for login in logins)
    for login in logins:
        click.echo(f"  {login.email:<{width}}  {login.password}  "
                   f"{login.role:<{role_width}}  {login.agency}")
