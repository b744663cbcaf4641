"""The engine: storage, landing, digests and the service facade.

Nothing in here imports Textual; the CLI and the console both call
:mod:`flowtui.engine.services.flow`.
"""
