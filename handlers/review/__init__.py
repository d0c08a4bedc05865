"""Reviewing applications: the lifecycle rules, the review service (every change queues its notice)
and the officials' chat screens."""
