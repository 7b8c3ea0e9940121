# Loket in a container: `loket web` by default; the same image runs `loket worker` and
# `loket manage migrate` (deploy/compose.yaml). Not built in CI: the machines that run the
# suite reach package registries only, not an image registry, so python:3.13-slim cannot be
# pulled there. tests/functional/test_deploy_reference.py checks what it can without building.
#
#   docker build -t loket .
#   docker run --rm -e SECRET_KEY=... -e DATABASE_URL=postgres://... loket loket manage migrate
#
# Debian-based on purpose: psycopg's binary wheel and nh3 are manylinux (glibc) wheels.

ARG PYTHON_VERSION=3.13
FROM python:${PYTHON_VERSION}-slim AS build
# msgfmt compiles the translation catalogs, which git does not keep (make messages).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
# The uv of the Makefile; it uses the image's Python and never downloads one.
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_PROJECT_ENVIRONMENT=/opt/loket \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
# Dependencies first, exactly as locked, so a code change reuses this layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY policies ./policies
COPY src ./src
RUN cd src/loket && /opt/loket/bin/python -P -m django compilemessages -v 0
# Loket itself as an installed package (not a link to /src), the compiled catalogs and the
# policy inside it, as in the wheel.
RUN uv sync --frozen --no-dev --no-editable
# Static files with hashed names, collected once into the image: a release is one image, and
# WhiteNoise serves them from here (a volume on var/ would otherwise hide them).
RUN LOKET_VAR_DIR=/tmp/build-var SECRET_KEY=build-only LOKET_STATIC_ROOT=/opt/loket/static \
    /opt/loket/bin/loket manage collectstatic --no-input --verbosity 0 \
    && rm -rf /tmp/build-var

FROM python:${PYTHON_VERSION}-slim
RUN useradd --system --create-home --home-dir /srv/loket --shell /usr/sbin/nologin loket \
    && install --directory --owner=loket --group=loket /srv/loket/var
COPY --from=build /opt/loket /opt/loket
ENV PATH=/opt/loket/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LOKET_VAR_DIR=/srv/loket/var \
    LOKET_STATIC_ROOT=/opt/loket/static \
    LOKET_BIND=0.0.0.0:8000 \
    LOKET_LOG_FORMAT=json
USER loket
WORKDIR /srv/loket
# Attachments (and, without DATABASE_URL, the SQLite database and the generated secret key).
VOLUME ["/srv/loket/var"]
EXPOSE 8000
CMD ["loket", "web"]
