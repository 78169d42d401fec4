"""Development and test tooling: embedded PostgreSQL, local processes, test databases, `make run`.

Not part of the runtime kit (libs/common) and not shipped in the service image.
"""
