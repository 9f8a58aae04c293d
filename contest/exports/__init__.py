"""Organiser exports: entries, scores and results as XLSX or CSV (full or anonymised), and a track's
originals as a streamed ZIP. Every table is read from the database in batches, so memory stays flat."""
