"""Retention jobs of the data-subject rights (a module per kind of row)."""
