"""The co-op's data files: tariff schedules (one file per version) and co-op profiles.

Reading files is I/O, so the loaders live here, outside the pure core; they hand
the core plain dictionaries or core types.
"""
