"""What leaves flowtui as a file for someone else's tools: the general ledger as beancount or CSV (:mod:`.ledger`)."""
