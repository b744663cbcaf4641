"""The ``flowtui`` commands, a module per command group; each module's ``register(cli)`` adds its commands.

:mod:`flowtui.cli` registers them all, in help order; the shared pieces (context, output, params, source options)
stay in :mod:`flowtui.cli`.
"""
