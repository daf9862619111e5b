"""flask --app homelog retention purge [--dry-run]"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from homelog.core.time import utcnow
from homelog.extensions import db
from homelog.retention.services import purge

retention_cli = click.Group("retention", help="Records past their retention period.")

_WORDS = (("visits", "visits (with their amendments)"), ("photos", "photos"),
          ("events", "events"), ("flags", "closed flags"), ("inbox_entries", "inbox entries"),
          ("emails", "emails sent"), ("audit_entries", "audit entries"),
          ("orphan_files", "photo files no photo refers to"))


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go, and remove nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Remove every record past its retention period (families under legal hold keep
    everything), in one transaction, audited."""
    report = purge(utcnow())
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Would remove" if dry_run else "Removed"
    for name, words in _WORDS:
        click.echo(f"{verb} {getattr(report, name)} {words}.")
    click.echo(f"Families under legal hold, kept whole: {report.families_on_hold}.")
