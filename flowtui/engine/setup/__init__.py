"""Setting the books up: streams and their mappings, company details, secrets, demo data."""
