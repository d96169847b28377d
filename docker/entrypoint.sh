#!/bin/sh
# Entry point of the CPTS Portal image. The first argument is the role:
#   web     apply the migrations, then serve with gunicorn on port 8000
#   worker  a Celery worker
#   beat    Celery beat, the periodic scheduler (one only)
# Anything else is run as given, e.g. `docker compose run --rm web python manage.py shell`.
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
web)
    # Only the web service migrates: worker and beat wait for it to be healthy.
    python manage.py migrate --noinput
    # Idempotent: updates the reference geography when a new image ships a new file.
    python manage.py load_geography
    # The access log masks private-link tokens in paths and Referers.
    exec gunicorn cpts_portal.wsgi \
        --bind 0.0.0.0:8000 \
        --workers "${GUNICORN_WORKERS:-3}" \
        --timeout "${GUNICORN_TIMEOUT:-60}" \
        --access-logfile - \
        --logger-class cpts_portal.gunicorn_logging.MaskingLogger \
        "$@"
    ;;
worker)
    exec celery -A cpts_portal worker -l "${CELERY_LOG_LEVEL:-info}" "$@"
    ;;
beat)
    exec celery -A cpts_portal beat -l "${CELERY_LOG_LEVEL:-info}" \
        --schedule "${VAR_DIR:-/var/lib/cpts-portal}/celerybeat-schedule" "$@"
    ;;
*)
    exec "$role" "$@"
    ;;
esac
