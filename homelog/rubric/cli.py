"""flask --app homelog rubric load FILE"""

from pathlib import Path

import click
from flask.cli import with_appcontext

from homelog.core.errors import ApiError
from homelog.extensions import db
from homelog.rubric import services

rubric_cli = click.Group("rubric", help="The partnership's rubric.")


@rubric_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load(file: Path) -> None:
    """Load a rubric file as the new current version (no-op if identical to the current one)."""
    try:
        content = services.parse_rubric_file(file.read_text(encoding="utf-8"))
    except ApiError as error:
        raise click.ClickException(f"{file}: {error.fields}") from error
    rubric, created = services.load_rubric(content)
    db.session.commit()
    click.echo(f"{'Loaded' if created else 'Already current:'} rubric version {rubric.version}.")


@rubric_cli.command("load-default")
@with_appcontext
def load_default() -> None:
    """Load the rubric shipped with Homelog (no-op if it is already current)."""
    rubric, created = services.load_rubric(services.default_rubric_content())
    db.session.commit()
    click.echo(f"{'Loaded' if created else 'Already current:'} rubric version {rubric.version}.")
