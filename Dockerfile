# CPTS Portal image: one image for the web (gunicorn), worker and beat services.
# See docker-compose.yml; docker/entrypoint.sh says what each role runs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app (settings find templates/, static/ and fixtures/ there).
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=cpts_portal.settings \
    VAR_DIR=/var/lib/cpts-portal \
    MEDIA_ROOT=/var/lib/cpts-portal/media \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint renders PDFs with Pango, and needs at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so that a code change reuses this layer.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files (django-dsfr's included) collected into the image, hashed for WhiteNoise.
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home-dir /var/lib/cpts-portal --shell /usr/sbin/nologin cpts \
    && mkdir -p /var/lib/cpts-portal/media \
    && chown -R cpts:cpts /var/lib/cpts-portal \
    && chmod +x docker/entrypoint.sh

USER cpts
EXPOSE 8000
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["web"]
