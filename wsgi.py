"""WSGI entry point: gunicorn wsgi:app"""

from homelog import create_app

app = create_app()
