# One image per service: docker build --build-arg SERVICE=registry -t iims-registry .
# (registry | training | assessment | audit | gateway). Multi-stage: wheels are built with
# the toolchain, the final stage gets only the installed packages and runs as non-root.
ARG PYTHON=python:3.11-slim-bookworm
ARG NODE=node:20-bookworm-slim

# The web console (web/, served by the gateway at /): npm ci from the lock file, vite build.
FROM ${NODE} AS console
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_fund=false npm_config_audit=false
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --loglevel=error
COPY web/ ./
RUN npm run build

FROM ${PYTHON} AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "--build-arg SERVICE=<name> is required" && exit 1)
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock ./
COPY libs/contracts libs/contracts
COPY libs/common libs/common
COPY services/${SERVICE} services/${SERVICE}
# The same two commands tests/test_images.py runs in a fresh virtual environment.
RUN python -m venv /opt/iims \
 && /opt/iims/bin/pip install -r requirements.lock \
 && /opt/iims/bin/pip install --no-deps ./libs/contracts ./libs/common ./services/${SERVICE} \
 && cp services/${SERVICE}/alembic.ini /opt/iims/lib/python3.11/site-packages/alembic.ini

FROM ${PYTHON}
ARG SERVICE
ENV PATH=/opt/iims/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SERVICE=${SERVICE} ENVIRONMENT=production LOG_JSON=true CONSOLE_DIR=/opt/iims/console
RUN groupadd --system --gid 10001 iims && useradd --system --uid 10001 --gid iims iims
COPY --from=build /opt/iims /opt/iims
# Only the gateway serves it (CONSOLE_DIR); a few MB in the other images.
COPY --from=console /web/dist /opt/iims/console
# The migration Job runs `alembic upgrade head` here (alembic.ini next to the package).
WORKDIR /opt/iims/lib/python3.11/site-packages
USER 10001:10001
EXPOSE 8000
# uvicorn drains in-flight requests on SIGTERM (graceful shutdown) before exiting. It trusts
# no X-Forwarded-For itself (--no-proxy-headers): the app believes TRUSTED_PROXIES only.
CMD ["sh", "-c", "exec uvicorn ${SERVICE}.main:app --host 0.0.0.0 --port 8000 --no-proxy-headers --timeout-graceful-shutdown 20 --no-access-log"]
