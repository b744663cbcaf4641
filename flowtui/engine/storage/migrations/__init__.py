"""The SQL text of every schema migration, a module per version or group of versions.

Which text is which version, and in what order they run, is :data:`flowtui.engine.storage.schema.MIGRATIONS`.
A shipped migration never changes (tests/test_migrations_immutable.py pins each one): add a new one.
"""
