"""Export for access and portability (issue 8 §5; GDPR Art. 15 and 20, CCPA "know").

"A zip with: JSON of everything held about the person (generated from the map), a JSON
Schema that the JSON validates against, CSV per table, and a readable HTML summary
answering the Art. 15 questions. Streamed, so memory stays flat for a large account;
stored through Django's storage API; offered through a signed link that expires in 7
days, then deleted."

- models.py   the export row: status, progress, file, link, times
- services.py export_start (the DPO's button), export_build (the task's work, claimed
              with a conditional update), export_purge_expired (the beat job), downloads
- rows.py     the person's rows per table, from dsar.personal_data_map, rendered for export
- schema.py   the JSON Schema (draft 2020-12), generated from the map and the field types
- summary.py  the Art. 15 answers for the HTML summary
- archive.py  the zip, written entry by entry to a temporary file
"""
