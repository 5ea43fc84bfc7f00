# One image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_DEBUG=false

# WeasyPrint renders with Pango; fonts with CJK coverage for Chinese names in PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
# Build-time only: collectstatic and the translation catalogs need settings, not secrets.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py compile_translations \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /app sourcewise && mkdir -p /app/var/media && chown -R sourcewise /app/var
USER sourcewise
EXPOSE 8000
CMD ["gunicorn", "sourcing.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
