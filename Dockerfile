# Datora Graph, the service: `docker compose up` runs it on Neo4j (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY cypher ./cypher
# Editable, so the Neo4j store finds its statements in /app/cypher beside the source.
RUN pip install -e . \
    && useradd --create-home --uid 10001 datora \
    && mkdir /data && chown datora /data

USER datora
ENV DATORA_HOST=0.0.0.0 \
    DATORA_PORT=8000 \
    DATORA_DB=/data/datora.db
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"
CMD ["datora", "serve"]
