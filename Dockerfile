# syntax=docker/dockerfile:1
# The Python services (identity, records, sanctions) and the migrations job share this image;
# the container command picks one. The gateway has its own image (services/gateway/Dockerfile).
#
#   docker build -t xinyong/services .
#   docker run xinyong/services uvicorn services.sanctions.app:create_app --factory --host 0.0.0.0 --port 4003
#   docker run -e XINYONG_DATABASE_URL=... xinyong/services xinyong migrate
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XINYONG_ENVIRONMENT=production \
    XINYONG_LOG_JSON=true

WORKDIR /app

# Dependencies first (the lock changes less often than the code).
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml alembic.ini ./
COPY libs libs
COPY migrations migrations
COPY xinyong xinyong
COPY services/__init__.py services/__init__.py
COPY services/identity services/identity
COPY services/records services/records
COPY services/sanctions services/sanctions
COPY services/gateway/__init__.py services/gateway/subgraphs.py services/gateway/
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin xinyong

USER 10001
EXPOSE 4001 4002 4003
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '4001'), timeout=2)"
CMD ["uvicorn", "services.identity.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "4001", "--no-access-log"]
