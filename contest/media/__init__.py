"""Image intake without HTTP or database: bytes and paths in, files and facts (dataclasses) out.

- ``sniffing``: what a file really is, and the limits checked from its header (``InvalidImage.reason``)
- ``pipeline``: upright, metadata-free sRGB derivatives (``process_image`` / ``process_image_async``)
  and full-size clean copies for the anonymised export (``clean_copy`` / ``clean_copy_async``)
- ``storage``: random keys, atomic writes, temp-file streaming and the start-up sweeper
- ``similarity``: perceptual fingerprints and near-duplicate pairs
"""
