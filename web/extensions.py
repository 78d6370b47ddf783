"""Extensions created once at import and bound to the app with init_app."""
from __future__ import annotations

from flask_cors import CORS
from flask_smorest import Api

api = Api()
cors = CORS()
