"""Migrating listings an agency decided elsewhere: `POST /listings/bulk` and `xinyong sanctions
import` (parse.py validates a line, service.py checks chunks against the catalogue, identity and
records and writes them through the listing kernel, endpoints.py is the REST route)."""
