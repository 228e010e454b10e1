# The zhitu app: installs the package, ingests the bundled bank into the graph named by
# ZHITU_GRAPH (Neo4j under docker compose), then serves the Streamlit UI on port 8501.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true

WORKDIR /app
COPY pyproject.toml __init__.py __main__.py ./
COPY text ./text
COPY graph ./graph
COPY ingest ./ingest
COPY ui ./ui
COPY data ./data
RUN pip install . && useradd --create-home --uid 1000 zhitu

USER zhitu
# docker-compose.yml sets these (and NEO4J_PASSWORD); the defaults name the compose service
ENV ZHITU_GRAPH=neo4j://neo4j:7687 \
    NEO4J_USER=neo4j \
    NEO4J_DATABASE=neo4j
EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health')"

# ingest is idempotent: a restart re-reads the bank and leaves the same graph
CMD ["sh", "-c", "zhitu ingest /app/data/questions && exec zhitu serve --host 0.0.0.0 --port 8501"]
