"""storage: the database — models, migrations and the repositories that hold all SQL, plus the
encryption of personal data (crypto) and the outbox. Repositories never commit; their callers do.
Imports messages only."""
