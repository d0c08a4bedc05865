"""A `hotro` command's database for the tests that run one but are not about the first start.

Such a test asks for `migrated_url` (imported into its module like any shared fixture): the `settings`
fixture's database, a copy of the session's migrated template (tests/databases.py), instead of an empty
one that the command's first start migrates through the whole chain (about 0.3 s of CPU and 0.6 s of
fsyncs a command, which the suite paid for each of those tests). The tests about the first start
(tests/test_console.py, tests/test_cli_messages.py's migration chatter) keep the empty database.
"""

from __future__ import annotations

import pytest

from bot.config import Settings


@pytest.fixture
def migrated_url(settings: Settings) -> str:
    return settings.sqlalchemy_url()
