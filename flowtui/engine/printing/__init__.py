"""Documents and digests to PDF, and the views as files for other tools."""
