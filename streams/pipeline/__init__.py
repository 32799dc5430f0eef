"""The whole pipeline as one pure core: raw inputs in; valid events, dead letters, fact versions,
metric snapshots and alerts out. The embedded replay and the Kafka worker both drive it."""

from convtrack.streams.pipeline.core import Checkpoint, Output, Pipeline, PipelineConfig

__all__ = ["Checkpoint", "Output", "Pipeline", "PipelineConfig"]
