"""The guide's example REST API: one JSON endpoint and static files, served by gunicorn."""
import logging
import os
import sys

from flask import Flask, jsonify, send_from_directory

# gunicorn.conf.py has checked LOGLEVEL before any worker starts
level = (os.environ.get("LOGLEVEL", "") or "info").upper()
logging.basicConfig(stream=sys.stdout, level=level,
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
