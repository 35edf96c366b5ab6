# committee-bot: one process per container. `serve` (the default) answers Slack; `scheduler` sends the reminders
# (run serve with REMINDERS=off beside it). Configuration, secrets included, comes from the environment at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000

# pg_dump and pg_restore, for `committee-bot db backup` in pg_dump's format: Debian 12's are PostgreSQL 15, the
# server compose.yaml runs (another major version falls back to the portable format). Debian's security updates
# move the exact version, so it is left to the distribution.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 committee-bot \
    && useradd --system --uid 10001 --gid committee-bot --home-dir /data --create-home --shell /usr/sbin/nologin committee-bot

WORKDIR /opt/committee-bot
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-cache-dir .

# Backups and personal-data exports are written where the command runs: the user's own folder.
WORKDIR /data
USER 10001:10001
EXPOSE 3000
# Ready, not merely up: the database answers at this version's schema, and a scheduler's tick is alive. Both `serve`
# and `scheduler` answer /readyz at $PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/readyz', timeout=4)"]
ENTRYPOINT ["committee-bot"]
CMD ["serve"]
