"""Retention on a schedule (issue 9, and the CCPA's 24 months for cases): the inactivity
notice, reminders and removal of the VETPASS policy, the purge of closed cases, and the
anonymisation of client data after a practice's subscription ends (Kontak policy). A module
per kind of row."""
