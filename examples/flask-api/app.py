"""The guide's example REST API: one JSON endpoint and static files, served by gunicorn."""
import logging
import os
import sys

from flask import Flask, jsonify, send_from_directory

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR}
level = os.environ.get("LOGLEVEL", "") or "info"
if level.lower() not in LEVELS:
    print(f"LOGLEVEL={level!r}: use one of {', '.join(LEVELS)}", file=sys.stderr)
    sys.exit(2)

logging.basicConfig(stream=sys.stdout, level=LEVELS[level.lower()],
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("flask-api")

MEDIA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "media")

app = Flask(__name__)


@app.get("/")
def user():
    log.debug("GET /")
    return jsonify(name="alice", email="alice@outlook.com")


@app.get("/media/<path:name>")
def media(name):
    return send_from_directory(MEDIA, name)


@app.get("/healthz")
def healthz():
    return "ok\n", 200, {"Content-Type": "text/plain"}
