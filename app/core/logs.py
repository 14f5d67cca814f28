"""Logs never hold a bearer secret: invitation tokens in paths, OAuth codes and states."""

import logging
import re

# /invitations/<token>[/...] and query parameters that carry a secret.
_PATH_SECRET = re.compile(r"(/invitations/)[^/?#\s]+")
_QUERY_SECRET = re.compile(r"([?&](?:code|state|invitation|token|id_token_hint)=)[^&#\s]*")


def redact(text: str) -> str:
    """A path or URL with its secrets replaced by '…'."""
    return _QUERY_SECRET.sub(r"\1…", _PATH_SECRET.sub(r"\1…", text))


class RedactSecrets(logging.Filter):
    """Rewrites the request line of uvicorn's access log (and any record's arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_access_log() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "mylife"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
