"""Retention on a schedule (issue 9): the inactivity notice, reminders and removal of the
VETPASS policy, and the anonymisation of client data after a practice's subscription ends
(Kontak policy)."""
