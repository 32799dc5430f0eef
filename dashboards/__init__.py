"""Grafana dashboards and alert rules as code, and the static report built from the same panels."""
