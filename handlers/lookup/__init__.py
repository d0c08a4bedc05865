"""The citizen's applications after submitting: status, look-up by code, answering, withdrawing (chat)."""
