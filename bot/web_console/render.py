"""Server-rendered pages: Jinja2 (aiohttp-jinja2) with the i18n extension wired to messages/i18n's catalog,
so every text of a template is a msgid of the same Vietnamese .po as the chat's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import get_session

from bot.web_console.keys import OFFICIAL, csrf_token
from messages import fmt, vocabulary
from messages.i18n import translations

TEMPLATES = Path(__file__).parent / "templates"


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process, shared by every console app it builds (the tests build one per
    test: compiling them for each app cost the console tests about 25 ms of CPU each). Jinja keys a
    template by its name and checks the checksum of its source, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def setup(console: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        console,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=_COMPILED,
        extensions=["jinja2.ext.i18n"],
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = lambda value: fmt.day(value) if value else "–"
    env.filters["moment"] = lambda value: fmt.moment(value) if value else "–"
    env.filters["vnd"] = lambda value: fmt.vnd(value) if value is not None else "–"
    env.filters["number"] = fmt.number
    env.filters["status_label"] = vocabulary.status_label


async def page(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    session = await get_session(request)
    full = {
        "official": request.get(OFFICIAL),
        "csrf": csrf_token(session),
        "path": request.path,
        **(context or {}),
    }
    return aiohttp_jinja2.render_template(template, request, full, status=status)


async def problem(request: web.Request, status: int, message: str) -> web.Response:
    return await page(request, "problem.html", {"status": status, "message": message}, status=status)
