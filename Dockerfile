# Parley's production image: gunicorn serving config.wsgi from /app, static files collected
# at build time and served by WhiteNoise. The same image runs the Celery worker and beat
# (see docker-compose.yml). Nothing secret is baked in: SECRET_KEY and the rest come from
# the environment at run time.
FROM python:3.13-slim-bookworm

# The code runs from /app (the settings find templates/ and static/ beside config/).
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PARLEY_VAR_DIR=/app/var \
    PYTHONPATH=/app

# WeasyPrint renders through Pango; Noto covers Latin, Arabic and Myanmar (core) and CJK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 \
      libpangoft2-1.0-0 \
      fonts-noto-core \
      fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system parley \
 && useradd --system --gid parley --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin parley

WORKDIR /app

# Dependencies first, so editing the source does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The source, listed one by one so a developer's .env, .venv and var/ never enter the image.
COPY manage.py ./
COPY config/ config/
COPY dialogues/ dialogues/
COPY uptake/ uptake/
COPY monitoring/ monitoring/
# The performance harness is an installed app (manage.py bench; it refuses any database
# not named for benchmarks): without it the settings would not load.
COPY bench/ bench/
COPY templates/ templates/
COPY static/ static/

# Settings refuse to import without SECRET_KEY when DEBUG is off: give collectstatic a
# throwaway key for this one command (never an ENV, so it is not in the image), and a var/
# folder that is thrown away with it.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time \
    PARLEY_BASE_URL=http://build.invalid \
    PARLEY_VAR_DIR=/tmp/parley-build-var \
    python manage.py collectstatic --noinput \
 && rm -rf /tmp/parley-build-var \
 && mkdir -p /app/var \
 && chown parley:parley /app/var

USER parley
# SQLite (when DATABASE_URL is unset), uploaded media and the beat schedule live here.
VOLUME ["/app/var"]
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
