"""Signals the consent ledger sends to the apps that build on it."""

from django.dispatch import Signal

# Sent inside the transaction that appends a ledger event, with `event`. Apps that hold
# state derived from a consent (records: a favorite is the practice-sharing grant) listen,
# so a withdrawal made anywhere (privacy centre, API, email link, the DPO's paper record)
# takes effect there in the same transaction. consent imports no app to its right (rule 9).
consent_recorded = Signal()
