"""docker-compose.yml cannot run here (no container engine), so it is checked against the
project: settings it passes exist, files it mounts exist, images are pinned, the datasource uid
is the dashboards', host ports do not clash, and the worker can be scaled."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from convtrack.dashboards.alerts import FOLDER_TITLE
from convtrack.dashboards.query import DATASOURCE_UID, PLUGIN_ID, PROMETHEUS_UID
from convtrack.settings import ENV_PREFIX, Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
ENV_EXAMPLE = REPO / "deploy" / "convtrack.env.example"
PROVISIONING = REPO / "deploy" / "grafana" / "provisioning"


def _settings_names() -> set[str]:
    return {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _example_keys() -> set[str]:
    lines = ENV_EXAMPLE.read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def test_every_convtrack_variable_is_a_setting() -> None:
    known = _settings_names()
    passed = {k for s in SERVICES.values() for k in _environment(s) if k.startswith(ENV_PREFIX)}
    passed |= {k for k in _example_keys() if k.startswith(ENV_PREFIX)}
    assert passed, "the stack configures convtrack through CONVTRACK_* variables"
    assert passed <= known, f"not settings: {sorted(passed - known)}"


def test_convtrack_services_reach_the_other_services_by_name() -> None:
    env = _environment(SERVICES["worker"])
    assert env["CONVTRACK_CLICKHOUSE_DSN"].startswith("http://convtrack@clickhouse:8123/")
    assert env["CONVTRACK_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["CONVTRACK_MODE"] == "production"


def test_secrets_come_from_a_git_ignored_env_file() -> None:
    env_files = {s["env_file"] for s in SERVICES.values() if "env_file" in s}
    assert env_files == {"deploy/convtrack.env"}
    assert "deploy/convtrack.env" in (REPO / ".gitignore").read_text().splitlines()
    assert {"CONVTRACK_PSEUDONYMIZATION_KEY", "CLICKHOUSE_PASSWORD"} <= _example_keys()
    for service in SERVICES.values():
        for key, value in _environment(service).items():
            assert not re.search(r"PASSWORD|KEY|TOKEN|SECRET", key), f"{key}={value} inline"


def _mounts() -> list[tuple[str, str]]:
    found = []
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                found.append((name, source))
    return found


def test_every_mounted_file_exists() -> None:
    assert _mounts()
    for service, source in _mounts():
        assert (REPO / source).exists(), f"{service} mounts {source}, which does not exist"
    assert (REPO / "Dockerfile").exists()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_images_are_pinned_and_healthy(name: str) -> None:
    service = SERVICES[name]
    image = service["image"]
    tag = image.rpartition(":")[2]
    assert ":" in image and tag != "latest" and re.search(r"\d", tag), image
    if "build" not in service:
        assert "healthcheck" in service, f"{name} has no healthcheck"


def test_the_worker_scales() -> None:
    worker = SERVICES["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert SERVICES["simulator"]["profiles"] == ["simulator"]


def test_host_ports_do_not_clash() -> None:
    hosts = [
        str(port).split(":")[-2]
        for service in SERVICES.values()
        for port in service.get("ports", [])
    ]
    assert hosts and len(hosts) == len(set(hosts)), hosts


def test_grafana_provisions_the_datasources_the_dashboards_name() -> None:
    provisioned = yaml.safe_load((PROVISIONING / "datasources" / "convtrack.yaml").read_text())
    by_uid = {d["uid"]: d for d in provisioned["datasources"]}
    assert by_uid[DATASOURCE_UID]["type"] == PLUGIN_ID
    assert by_uid[PROMETHEUS_UID]["type"] == "prometheus"
    grafana = _environment(SERVICES["grafana"])
    assert grafana["GF_PLUGINS_PREINSTALL_SYNC"].startswith(f"{PLUGIN_ID}@")
    providers = yaml.safe_load((PROVISIONING / "dashboards" / "convtrack.yaml").read_text())
    (provider,) = providers["providers"]
    assert provider["folder"] == FOLDER_TITLE
    mounted = dict(v.split(":")[:2] for v in SERVICES["grafana"]["volumes"] if v.startswith("."))
    assert mounted["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounted["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
