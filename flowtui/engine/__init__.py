"""The engine, in feature packages over a shared core.

Layers, each importing only those below it (the import-linter contract in ``pyproject.toml``):

* :mod:`~flowtui.engine.services` — the ``Flow`` facade and its per-area services, what the CLI and console call;
* features — :mod:`~flowtui.engine.pipeline` (orders in), :mod:`~flowtui.engine.digests`,
  :mod:`~flowtui.engine.ledger`, :mod:`~flowtui.engine.minipos`, :mod:`~flowtui.engine.printing`,
  :mod:`~flowtui.engine.exports`, :mod:`~flowtui.engine.outbox`, :mod:`~flowtui.engine.setup`;
* :mod:`~flowtui.engine.storage` (the DuckDB file), beside the sources (:mod:`flowtui.connectors`);
* :mod:`~flowtui.engine.core` — errors, money, the clock, the canonical order, statuses.

Nothing in here imports Textual.
"""
