"""The StoreHub source: HTTP client, transaction mapping and bulk reading."""
