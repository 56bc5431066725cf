"""How `datora serve` logs.

uvicorn sets up its own loggers only. The service's lines (the development-mode warning at
start, an erasure or a redaction for the audit, a request that failed) went to Python's
last-resort handler: a warning printed bare, with no level for a log search to find, and
every info line dropped. Here the `datora_graph` loggers write through uvicorn's handler, in
its format (`WARNING:  ...`), at `DATORA_LOG_LEVEL`, in every worker process.

`DATORA_LOG_FORMAT=json` writes every line, uvicorn's and the service's, as one JSON object
(`JsonLines`) for a log collector (Loki, Elasticsearch, Datadog, CloudWatch) to index without
a parsing rule per line shape: an access line's fields each under its own key, an incident's ID
under `incident`, a traceback under `exception` rather than over several lines.
"""

from __future__ import annotations

import copy
import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any, Literal

from datora_graph.api.access_log import ACCESS_LOGGER
from datora_graph.domain.moments import iso

SERVICE_LOGGER = "datora_graph"
LogFormat = Literal["text", "json"]

_INCIDENT = re.compile(r"\bincident (inc_[0-9a-f]{16})\b")
_ACCESS_FIELDS = ("client", "method", "target", "http_version", "status")
"""The arguments of uvicorn's access line, in its order (after `MaskPersonalData`)."""


class JsonLines(logging.Formatter):
    """One JSON object per record: `time` (UTC), `level`, `logger`, `message`; an access
    line's client, method, target (masked as in the text line), HTTP version and status; the
    `incident` a line names; and `exception`, the traceback, when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": iso(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == ACCESS_LOGGER and isinstance(args, tuple) and len(args) == 5:
            entry.update(zip(_ACCESS_FIELDS, args, strict=True))
        if incident := _INCIDENT.search(entry["message"]):
            entry["incident"] = incident.group(1)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def server_log_config(level: str, log_format: LogFormat = "text") -> dict[str, Any]:
    """uvicorn's logging configuration with the service's loggers added at `level`, its
    lines as text or (`json`) as JSON objects."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"][SERVICE_LOGGER] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    if log_format == "json":
        for name in ("default", "access"):
            config["formatters"][name] = {"()": f"{__name__}.JsonLines"}
    return config


def configure_server_log(level: str, log_format: LogFormat = "text") -> dict[str, Any]:
    """Apply the configuration now, before the app is built (it may warn while it is), and
    return it for uvicorn, which applies it again in each worker process it starts."""
    config = server_log_config(level, log_format)
    logging.config.dictConfig(config)
    return config
