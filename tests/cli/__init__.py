"""The command-line contract: commands, flags, JSON fields, exit codes, files written."""
