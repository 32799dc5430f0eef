# The convtrack image: the CLI, the worker and the simulator (docker-compose.yml runs each).
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/convtrack
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md constraints.txt ./
COPY convtrack ./convtrack
COPY schemas ./schemas
COPY streams ./streams
COPY sinks ./sinks
COPY dashboards ./dashboards
RUN pip install -c constraints.txt . \
    && useradd --system --uid 10001 --home-dir /var/lib/convtrack --create-home convtrack

USER convtrack
WORKDIR /var/lib/convtrack
ENV CONVTRACK_DATA_DIR=/var/lib/convtrack
ENTRYPOINT ["convtrack"]
CMD ["--help"]
