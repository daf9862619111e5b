"""Running Homelog: readiness, metrics for Prometheus, and logs a machine can read."""
