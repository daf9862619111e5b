"""Bare extension instances, bound to the app in create_app."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from homelog.core.db import Base

# Sessions live for one request or job; keeping loaded values after a commit saves a
# reload per object when a request ends its read transaction to start writing.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
