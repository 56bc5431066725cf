"""One line per command in `datora --help` and each group's listing.

Typer lists a command by the first paragraph of its docstring with the docstring's own line
breaks kept (in its rich mode), so a summary wrapped at 90 columns in the source came out as
ragged lines that wrapped again at the terminal's width. The listing shows the first sentence,
on one line; `datora COMMAND --help` keeps the whole text.
"""

from __future__ import annotations

import inspect
import re

import typer
from typer.main import solve_typer_info_help
from typer.models import DefaultPlaceholder

_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]`]\.)\s+(?=[A-Z`])")
"""A full stop between sentences: not the one in `e.g. after`, followed by a lower-case word."""


def summary(help_text: str | None) -> str | None:
    """The first sentence of a help text's first paragraph, on one line."""
    if not help_text:
        return None
    paragraph = inspect.cleandoc(help_text).split("\n\n")[0]
    line = " ".join(paragraph.split())
    return _SENTENCE_END.split(line, maxsplit=1)[0]


def one_line_summaries(app: typer.Typer) -> None:
    """Give every command and group of `app`, its groups' included, a one-line `short_help`
    where it has none."""
    for command in app.registered_commands:
        if command.short_help is None and command.callback is not None:
            command.short_help = summary(command.help or inspect.getdoc(command.callback))
    for group in app.registered_groups:
        instance = group.typer_instance
        if instance is None:
            continue
        if group.short_help is None or isinstance(group.short_help, DefaultPlaceholder):
            group.short_help = summary(solve_typer_info_help(group))
        one_line_summaries(instance)
