"""handlers: what the bot says and does, independent of any channel — the conversation (router, turn,
forms, menu) and the features, each in its own folder (apply, ask, lookup, review, announce, report)
with its chat handlers and its service (plain functions the CLI and the web console call too).
Imports storage and messages, never bot."""
