"""The internal REST contracts between services: the models each owner serves and its callers
parse, and the clients that call them. Service to service only, never public.

- `identity`: subject lookup and an organisation's roles at a time (served by services/identity).
- `records`: record lookup and the outbox event feed (served by services/records).

Like libs/common, this package imports no service.
"""
