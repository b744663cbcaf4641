"""Orders in: sync, landing, rejections, the nightly job and reconciliation."""
