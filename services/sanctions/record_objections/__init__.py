"""Sanctions' part of records' `RecordObjection` entity: its deadline on the working calendar.

Records owns record objections and their rule (verified within `verificationDays` calendar days of
filing, DESIGN.md); sanctions owns the working calendar (public holidays, make-up working days).
Rather than copy the calendar into records, the records subgraph's `RecordObjection` is an entity
and sanctions contributes its `dueAt` and `overdue`, from the fields it `@requires`.
"""
