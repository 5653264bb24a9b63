"""The email outbox: every email is a row written in the transaction that causes it, and
leaves through a Celery task with retries (DESIGN.md rule 7)."""
