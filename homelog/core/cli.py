"""flask --app homelog backup PATH / restore PATH"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from homelog.core.backup import BackupError, BackupReport
from homelog.core.backup import backup as make_backup
from homelog.core.backup import restore as bring_back
from homelog.extensions import db


def _media_dir() -> Path:
    return Path(current_app.config["HOMELOG_MEDIA_DIR"])


def _summary(report: BackupReport) -> str:
    rows = sum(report.tables.values())
    return (f"{report.database}: {rows} rows in {len(report.tables)} tables, "
            f"{report.files} media files ({report.bytes} bytes)")


@click.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database and the media to PATH (a new or empty directory), consistently,
    while Homelog keeps running."""
    try:
        report = make_backup(db.engine, _media_dir(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {path}: {_summary(report)}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore the backup in PATH into an empty database and media directory; then run
    `flask --app homelog audit verify`."""
    try:
        report = bring_back(db.engine, _media_dir(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {path}: {_summary(report)}; every table's rows and every "
               "file checked against the backup. Now run: flask --app homelog audit verify")
