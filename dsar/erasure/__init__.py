"""Erasure generated from the personal-data map (issue 8 §6). Entry points:
`erasure_preview(case=)`, `erasure_run(case=, actor=)` and, for many people at once (the
retention job, the benchmark), `engine.erase_rows(persons)`."""
