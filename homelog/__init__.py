"""Homelog: a multi-agency shared log of home conditions. create_app is wiring only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from homelog import accounts, families, photos, rubric, visits  # noqa: F401  (models register)
from homelog.accounts.access import init_access
from homelog.accounts.cli import agencies_cli, users_cli
from homelog.accounts.views import blp as accounts_blp
from homelog.alerts.jobs import init_alert_jobs
from homelog.alerts.notices import init_notices
from homelog.alerts.services import init_alerts
from homelog.alerts.views import blp as alerts_blp
from homelog.audit.cli import audit_cli
from homelog.audit.refusals import init_refusal_audit
from homelog.audit.verify import checkpoint_job
from homelog.audit.views import blp as audit_blp
from homelog.config import load_config
from homelog.core.api import Api
from homelog.core.cli import backup_command, restore_command
from homelog.core.db import configure_postgresql, configure_sqlite
from homelog.core.errors import register_error_handlers
from homelog.core.health import blp as health_blp
from homelog.core.http import init_http
from homelog.core.jobs import Job, register_job
from homelog.core.json import JSONProvider
from homelog.core.json import loads as json_loads
from homelog.core.transactions import init_transactions, write_intent
from homelog.demo.cli import demo_cli
from homelog.engine.cli import analyse_command, scheduler_command
from homelog.engine.jobs import init_jobs
from homelog.engine.services import init_engine
from homelog.engine.views import blp as engine_blp
from homelog.exports.views import blp as exports_blp
from homelog.extensions import db, login_manager, migrate
from homelog.families.views import blp as families_blp
from homelog.ops.logs import configure_logging
from homelog.ops.metrics import init_metrics
from homelog.ops.readiness import blp as ops_blp
from homelog.photos.views import blp as photos_blp
from homelog.retention.cli import retention_cli
from homelog.retention.views import blp as retention_blp
from homelog.rubric.cli import rubric_cli
from homelog.rubric.views import blp as rubric_blp
from homelog.visits.views import blp as visits_blp
from homelog.web.views import init_web

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})
    if "SQLALCHEMY_ENGINE_OPTIONS" not in (config or {}):
        # No pre-ping: it costs a round trip on every request. A server connection that
        # went stale fails one request and the pool replaces it; recycling keeps that rare.
        is_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {} if is_sqlite else {"pool_recycle": 600}
    # JSON columns are decoded by the faster reader (same results; see core/json.py).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_deserializer": json_loads, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    app.json = JSONProvider(app)
    if app.config["HOMELOG_TRUSTED_PROXIES"]:
        # The client's address (sign-in throttling) and scheme as the proxies in front say.
        hops = app.config["HOMELOG_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    configure_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, write_intent)
        else:
            configure_postgresql(db.engine, write_intent)

    init_transactions(app)
    init_access(app)
    init_http(app)
    register_error_handlers(app)

    api = Api(app)  # one per app: it holds that app's OpenAPI document
    for blueprint in (health_blp, accounts_blp, families_blp, rubric_blp, visits_blp,
                      photos_blp):
        api.register_blueprint(blueprint)
    for blueprint in (engine_blp, alerts_blp, exports_blp, retention_blp, audit_blp, ops_blp):
        api.register_blueprint(blueprint)
    init_metrics(app)
    register_error_handlers(app)  # after smorest, so ours answer every error
    init_web(app)  # the phone app at "/"; after the API, whose addresses it leaves alone

    for group in (users_cli, agencies_cli, rubric_cli, audit_cli, demo_cli, retention_cli):
        app.cli.add_command(group)
    app.cli.add_command(analyse_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    init_engine(app)
    init_jobs(app)
    init_alerts(app)
    init_notices(app)
    init_alert_jobs(app)
    init_refusal_audit(app)  # after init_transactions: its entries join the commit
    register_job(app, Job("audit_checkpoint", checkpoint_job,
                          every=lambda values: dt.timedelta(hours=1)))
    return app
