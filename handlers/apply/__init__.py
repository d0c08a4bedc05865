"""Applying for support: the consent, the forms (chat) and storing the application (service.submit)."""
