"""flask --app homelog audit verify"""

import click
from flask.cli import with_appcontext

from homelog.audit.services import verify_chain

audit_cli = click.Group("audit", help="The audit trail.")


@audit_cli.command("verify")
@with_appcontext
def verify() -> None:
    """Recompute the hash chain; exit 1 and name the first altered entry if it is broken."""
    report = verify_chain()
    if report.intact:
        click.echo(f"Audit trail intact: {report.entries} entries.")
        return
    click.echo(f"Audit trail BROKEN at entry {report.first_broken_id} "
               f"(after {report.entries} intact entries).", err=True)
    raise SystemExit(1)
