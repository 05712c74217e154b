# Kindred in a container: the bot runs as an unprivileged user, its database and backups live
# on the /data volume, and Docker asks `python -m bot health` whether it is well.
#   docker build -t kindred .
#   docker run -d --name kindred -e DISCORD_TOKEN=... -v kindred-data:/data kindred
# compose.yaml does the same with backups on; docs/self-hosting.md explains both.
FROM python:3.12.8-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KINDRED_DATABASE__PATH=/data/kindred.db \
    KINDRED_BACKUP__FOLDER=/data/backups \
    KINDRED_HEALTH__ENABLED=true \
    KINDRED_HEALTH__HOST=127.0.0.1 \
    KINDRED_HEALTH__PORT=8080

WORKDIR /app

# Runtime dependencies only, read from pyproject.toml (a layer that changes only with them).
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code and its shipped data (model, phrases, resources, translations); nothing else.
COPY bot ./bot
COPY cogs ./cogs
COPY emulator ./emulator
COPY data ./data
COPY config.example.toml README.md ./

RUN groupadd --system --gid 10001 kindred \
    && useradd --system --uid 10001 --gid kindred --no-create-home --home-dir /data \
       --shell /usr/sbin/nologin kindred \
    && mkdir -p /data/backups \
    && chown -R kindred:kindred /data

USER 10001:10001
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health", "--timeout", "5"]

CMD ["python", "-m", "bot", "run"]
