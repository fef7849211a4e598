# The briefing bot. Build: docker build -t briefbot .
# Run:   docker run -d --name briefbot -e BOT_TOKEN=... -v briefbot-data:/data briefbot
# /data holds config.yaml (copy config.example.yaml there and edit it), bot.db and the heartbeat.
# Production with PostgreSQL: compose.yaml (see the README).
#
# No Docker engine runs where this project is developed, so tests/test_docker.py performs these
# steps itself: it builds the wheel, installs it into a clean venv, and runs this file's
# HEALTHCHECK and CMD from that venv as an unprivileged user. Keep them exec-form JSON arrays.

# ---- build: the wheel, from the sources alone
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md bot.py ./
COPY briefbot ./briefbot
COPY handlers ./handlers
COPY schedules ./schedules
COPY tgemu ./tgemu
COPY rehearsal ./rehearsal
RUN pip wheel --no-deps --wheel-dir /wheels .

# ---- the image: the installed wheel, no sources
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PTB_TIMEDELTA=1

# /chart's Chinese font comes with the Python dependencies (noto-cjk-sans-otc): no system font

COPY --from=build /wheels /wheels
COPY config.example.yaml /app/config.example.yaml
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin briefbot \
    && mkdir -p /data \
    && cp /app/config.example.yaml /data/config.example.yaml \
    && chown -R briefbot:briefbot /data

# relative paths in the config (storage url sqlite:///data/bot.db, data/heartbeat, data/inbox)
# resolve from / and so land in the volume
WORKDIR /
USER briefbot
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck", "--config", "/data/config.yaml"]

CMD ["python", "-m", "bot", "run", "--config", "/data/config.yaml"]
