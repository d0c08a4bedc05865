"""Asking: the policies explained, the eligibility check and free-text questions answered."""
