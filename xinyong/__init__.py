"""Project-level commands: tokens, migrations, demo data and `make run`."""
