# The briefing bot. Build: docker build -t briefbot .
# Run:   docker run -d --name briefbot -e BOT_TOKEN=... -v briefbot-data:/data briefbot
# /data holds config.yaml (copy config.example.yaml there and edit it), bot.db and the heartbeat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PTB_TIMEDELTA=1

# /chart's Chinese font comes with the Python dependencies (noto-cjk-sans-otc): no system font

WORKDIR /app
COPY pyproject.toml README.md bot.py config.example.yaml ./
COPY briefbot ./briefbot
COPY handlers ./handlers
COPY schedules ./schedules
COPY tgemu ./tgemu
COPY rehearsal ./rehearsal
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin briefbot \
    && mkdir -p /data \
    && cp config.example.yaml /data/config.example.yaml \
    && chown -R briefbot:briefbot /data

# relative paths in the config (storage url sqlite:///data/bot.db, data/heartbeat, data/inbox)
# resolve from / and so land in the volume
WORKDIR /
USER briefbot
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/app/bot.py", "healthcheck", "--config", "/data/config.yaml"]

CMD ["python", "/app/bot.py", "run", "--config", "/data/config.yaml"]
