"""Publishing to a running Grafana through its HTTP API (grafana-client): the folder, the
dashboards (overwritten) and the alert rules, all under fixed uids so that publishing again
updates in place. Files provisioning (docker-compose) needs none of this."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from grafana_client.api import GrafanaApi
from grafana_client.client import (
    GrafanaClientError,
    GrafanaException,
    GrafanaServerError,
    GrafanaTimeoutError,
    GrafanaUnauthorizedError,
)
from niquests.exceptions import RequestException

from convtrack.dashboards.alerts import FOLDER_TITLE, FOLDER_UID, GROUP, GROUP_INTERVAL_SECONDS
from convtrack.dashboards.build import alert_rules, specs
from convtrack.dashboards.grafana import dashboard_json
from convtrack.dashboards.query import DATASOURCE_UID

_NOT_FOUND = 404


class PublishError(Exception):
    """One line that says what went wrong and what to do."""


@dataclass(slots=True)
class Published:
    folder_created: bool = False
    dashboards: list[str] = field(default_factory=list)
    """The URL path of each dashboard."""
    rules_created: list[str] = field(default_factory=list)
    rules_updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def publish(url: str, token: str, timeout: float = 10.0) -> Published:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishError(f"--url {url!r} is not a Grafana address like http://HOST:3000")
    api = GrafanaApi.from_url(url, credential=token, timeout=timeout)
    try:
        return _publish(api)
    except GrafanaUnauthorizedError:
        raise PublishError(
            f"Grafana at {url} refused the token (401 Unauthorized); give a service-account "
            "token with the Editor role (--token or GRAFANA_TOKEN)"
        ) from None
    except GrafanaClientError as error:
        if error.status_code == 403:
            raise PublishError(
                f"Grafana at {url} forbids this token to change dashboards or alert rules "
                "(403); give the service account the Editor or Admin role"
            ) from None
        raise PublishError(f"Grafana at {url} rejected a request: {error.message}") from None
    except (GrafanaTimeoutError, RequestException) as error:
        raise PublishError(f"cannot reach Grafana at {url} ({_reason(error)})") from None
    except (GrafanaServerError, GrafanaException) as error:
        raise PublishError(f"Grafana at {url} failed: {error.message}") from None


def _publish(api: GrafanaApi) -> Published:
    done = Published()
    done.folder_created = _ensure_folder(api)
    if not _exists(lambda: api.datasource.get_datasource_by_uid(DATASOURCE_UID)):  # type: ignore[no-untyped-call]
        done.warnings.append(
            f"no datasource has uid {DATASOURCE_UID!r}: the panels stay empty until one does "
            "(deploy/grafana/provisioning/datasources/convtrack.yaml provisions it)"
        )
    for spec in specs():
        answer = api.dashboard.update_dashboard(  # type: ignore[no-untyped-call]
            {
                "dashboard": dashboard_json(spec),
                "folderUid": FOLDER_UID,
                "overwrite": True,
                "message": "convtrack dashboards publish",
            }
        )
        done.dashboards.append(str(answer.get("url", spec.uid)))
    rules = alert_rules()
    for rule in rules:
        uid = str(rule["uid"])
        if _exists(lambda uid=uid: api.alertingprovisioning.get_alertrule(uid)):  # type: ignore[no-untyped-call]
            api.alertingprovisioning.update_alertrule(uid, rule)  # type: ignore[no-untyped-call]
            done.rules_updated.append(uid)
        else:
            api.alertingprovisioning.create_alertrule(rule)  # type: ignore[no-untyped-call]
            done.rules_created.append(uid)
    # The group carries the evaluation interval; its PUT needs the whole list of rules.
    api.alertingprovisioning.update_rule_group(  # type: ignore[no-untyped-call]
        FOLDER_UID,
        GROUP,
        {
            "title": GROUP,
            "folderUid": FOLDER_UID,
            "interval": GROUP_INTERVAL_SECONDS,
            "rules": rules,
        },
    )
    return done


def _ensure_folder(api: GrafanaApi) -> bool:
    if _exists(lambda: api.folder.get_folder(FOLDER_UID)):  # type: ignore[no-untyped-call]
        return False
    api.folder.create_folder(FOLDER_TITLE, uid=FOLDER_UID)  # type: ignore[no-untyped-call]
    return True


def _exists(get: Any) -> bool:
    try:
        get()
    except GrafanaClientError as error:
        if error.status_code == _NOT_FOUND:
            return False
        raise
    return True


def _reason(error: Exception) -> str:
    text = str(error)
    for reason in ("Connection refused", "timed out", "Name or service not known"):
        if reason.lower() in text.lower():
            return reason.lower()
    return text.splitlines()[0][:200] if text else type(error).__name__
