"""flask --app homelog rubric load FILE: problems are listed one a line, with line numbers."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from homelog.core.errors import ApiError
from homelog.extensions import db
from homelog.rubric import loading, services

rubric_cli = click.Group("rubric", help="The partnership's rubric.")


@rubric_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load(file: Path) -> None:
    """Load a rubric file as the new current version (no-op if identical to the current one)."""
    try:
        rubric, created = loading.load_rubric_text(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file}: not a text file (UTF-8).") from error
    except ApiError as error:
        lines = "\n".join(f"  {line}" for line in loading.file_problems(error))
        raise click.ClickException(f"{file} was not loaded:\n{lines}") from error
    db.session.commit()
    click.echo(f"{'Loaded' if created else 'Already current:'} rubric version {rubric.version}.")


@rubric_cli.command("load-default")
@with_appcontext
def load_default() -> None:
    """Load the rubric shipped with Homelog (no-op if it is already current)."""
    try:
        rubric, created = services.load_rubric(services.default_rubric_content())
    except ApiError as error:  # the current version's domains are not the default's
        lines = "\n".join(f"  {line}" for line in loading.file_problems(error))
        raise click.ClickException(
            "The shipped rubric does not say how it continues the current version; load a "
            f"copy of it with \"continues\" or \"retired\" instead:\n{lines}") from error
    db.session.commit()
    click.echo(f"{'Loaded' if created else 'Already current:'} rubric version {rubric.version}.")
