"""Running the worker from code (not the faust command line): on uvloop where it is installed,
until SIGINT or SIGTERM."""

import asyncio
import logging

import faust

from convtrack.runner import throughput_gc
from convtrack.streams.kafka.admin import ensure_topics, topic_specs
from convtrack.streams.kafka.connection import quiet_closing_clients
from convtrack.streams.worker.app import WorkerApp, WorkerParts, table_store_url

log = logging.getLogger("convtrack.worker")


def use_uvloop() -> bool:
    """uvloop is the one setting that clearly speeds faust up (INFRA.md)."""
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def run_worker(parts: WorkerParts, loglevel: str = "info") -> None:
    """Blocks until stopped. Creates the topics it needs first (idempotent): a worker started
    before `convtrack topics create` would otherwise wait on topics nobody makes.
    Raises KafkaSetupError when the broker is unreachable or a topic is misconfigured."""
    settings = parts.settings
    quiet_closing_clients()
    ensure_topics(settings.kafka_bootstrap_servers, topic_specs(settings))
    loop_name = "uvloop" if use_uvloop() else "asyncio"
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker_app = WorkerApp(parts)
    worker_app.health.serve(settings.worker_metrics_port, settings.worker_metrics_host)
    log.info(
        "worker %s starting: broker %s, topic %s, %s loop, %s tables, metrics %s",
        settings.worker_app_id,
        settings.kafka_bootstrap_servers,
        settings.raw_topic,
        loop_name,
        table_store_url(settings.worker_table_store),
        (
            f"on {settings.worker_metrics_host}:{settings.worker_metrics_port}"
            if settings.worker_metrics_port
            else "off"
        ),
    )
    worker = faust.Worker(worker_app.app, loglevel=loglevel, quiet=True)
    try:
        with throughput_gc():
            worker.execute_from_commandline()
    except SystemExit as done:
        log.info("worker %s stopped", settings.worker_app_id)
        raise done
