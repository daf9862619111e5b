"""flask --app homelog audit verify [--checkpoints FILE] / audit checkpoint"""

from pathlib import Path

import click
from flask.cli import with_appcontext

from homelog.audit.verify import read_checkpoints, verify_chain, write_checkpoint

audit_cli = click.Group("audit", help="The audit trail.")


@audit_cli.command("verify")
@click.option("--checkpoints", type=click.Path(dir_okay=False, path_type=Path),
              help="A checkpoint file to check against (default: HOMELOG_AUDIT_CHECKPOINTS).")
@with_appcontext
def verify(checkpoints: Path | None) -> None:
    """Recompute every seal and check the checkpoints; exit 1 naming the first problem
    (altered, recomputed or truncated) and the entry."""
    seen = read_checkpoints(checkpoints)
    report = verify_chain(seen)
    if report.intact:
        agree = "no checkpoint yet" if not seen else (
            f"{len(seen)} checkpoint{'s' if len(seen) > 1 else ''} outside the database agree"
            f"{'s' if len(seen) == 1 else ''}")
        click.echo(f"Audit trail intact: {report.entries} entries; {agree}.")
        return
    click.echo(f"Audit trail BROKEN at entry {report.first_broken_id}: {report.problem} "
               f"({report.detail}); {report.entries} entries before it are intact.", err=True)
    raise SystemExit(1)


@audit_cli.command("checkpoint")
@with_appcontext
def checkpoint() -> None:
    """Write the chain's head down outside the database (the scheduler does so hourly)."""
    written = write_checkpoint()
    if written is None:
        click.echo("The audit trail is empty: nothing to checkpoint.")
        return
    click.echo(f"Checkpoint: entry {written.entry_id} sealed {written.entry_hash}.")
