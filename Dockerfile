FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 APP_ENV=production
WORKDIR /app

# libpq-free: psycopg's binary wheel bundles it; pyvips-binary bundles libvips.
COPY setup.cfg pyproject.toml constraints.txt ./
COPY config.py ./
COPY web ./web
COPY jobs ./jobs
COPY services ./services
COPY etsy ./etsy
COPY models ./models
COPY nas ./nas
COPY prepress ./prepress
COPY migrations ./migrations
COPY devtools ./devtools
COPY alembic.ini gunicorn.conf.py Procfile ./
RUN pip install -c constraints.txt . && useradd --create-home --uid 10001 app && mkdir -p /app/var && chown app /app/var
USER app

EXPOSE 8000
# Every service runs one Procfile process through the same launcher, with no shell: `docker run IMAGE worker`,
# or Railway's start command `python -m devtools.procfile worker` (railway.json, railway/*.json).
ENTRYPOINT ["python", "-m", "devtools.procfile"]
CMD ["web"]
