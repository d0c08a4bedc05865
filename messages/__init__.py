"""messages: words and facts with no behaviour — the vocabulary (StrEnums), gettext and the Vietnamese
catalog, formatting, the policy texts and the knowledge base. The bottom layer: imports nothing of
the project."""
