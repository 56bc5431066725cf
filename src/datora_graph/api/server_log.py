"""How `datora serve` logs.

uvicorn sets up its own loggers only. The service's lines (the development-mode warning at
start, an erasure or a redaction for the audit, a request that failed) went to Python's
last-resort handler: a warning printed bare, with no level for a log search to find, and
every info line dropped. Here the `datora_graph` loggers write through uvicorn's handler, in
its format (`WARNING:  ...`), at `DATORA_LOG_LEVEL`, in every worker process.
"""

from __future__ import annotations

import copy
import logging.config
from typing import Any

SERVICE_LOGGER = "datora_graph"


def server_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration with the service's loggers added at `level`."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"][SERVICE_LOGGER] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


def configure_server_log(level: str) -> dict[str, Any]:
    """Apply the configuration now, before the app is built (it may warn while it is), and
    return it for uvicorn, which applies it again in each worker process it starts."""
    config = server_log_config(level)
    logging.config.dictConfig(config)
    return config
