"""bot: the running program around the handlers — channel adapters (Telegram, Zalo, console), the
engine that runs one turn per update, the HTTP server, the background workers (outbox sender,
announcement sender, daily report, retention) and the `hotro` command line. The top layer: it may
import handlers, storage and messages; nothing imports it."""
