"""gunicorn settings for Homelog (gunicorn -c deploy/gunicorn.conf.py wsgi:app).

Every value can be overridden from the environment the service runs in (see the systemd
unit): HOMELOG_BIND, HOMELOG_WORKERS, HOMELOG_THREADS, PROMETHEUS_MULTIPROC_DIR.
"""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

# Loopback only: nginx is the one client, and it passes the client's address on.
bind = os.environ.get("HOMELOG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HOMELOG_WORKERS", "4"))
threads = int(os.environ.get("HOMELOG_THREADS", "1"))
# A photo upload from a phone on a poor signal is read by nginx first; the app's own work
# (image checks, an export PDF) stays well under this.
timeout = 120
graceful_timeout = 30
# Requests per worker before it is replaced: bounds any slow growth in memory.
max_requests = 2000
max_requests_jitter = 200
# The app logs each request itself (JSON, with its id): gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
forwarded_allow_ips = "127.0.0.1,::1"

# Metrics from every worker add up (homelog/ops/metrics.py): one folder shared by the
# workers, emptied at start so counts from an earlier run are not added again.
_metrics = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                      "/run/homelog/metrics"))


def on_starting(server):  # gunicorn calls its hooks with these arguments
    shutil.rmtree(_metrics, ignore_errors=True)
    _metrics.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
