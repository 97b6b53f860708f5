"""gunicorn settings from the environment; every log line goes to stdout."""
import os
import sys

LEVELS = ("debug", "info", "warning", "error")

workers = int(os.environ.get("WEB_CONCURRENCY", "") or "2")
loglevel = (os.environ.get("LOGLEVEL", "") or "info").lower()
if loglevel not in LEVELS:
    print(f"LOGLEVEL={os.environ['LOGLEVEL']!r}: use one of {', '.join(LEVELS)}", file=sys.stderr)
    sys.exit(2)
port = os.environ.get("PORT", "") or "8080"
if not port.isdigit() or int(port) > 65535:
    print(f"PORT={port!r}: use a port number, 0 to 65535", file=sys.stderr)
    sys.exit(2)
bind = f"0.0.0.0:{port}"
accesslog = "-"            # stdout
graceful_timeout = 10      # SIGTERM: requests in flight get 10 s, then the workers are killed
worker_tmp_dir = "/dev/shm"   # the heartbeat files: never on the (read-only) image
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain",
                            "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
