"""The WSGI entry point: gunicorn serves `main:app` (see gunicorn.conf.py and the Dockerfile)."""

from app.web import create_app

app = create_app()
