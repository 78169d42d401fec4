from alembic import context

from libs.common.migrate import run_env
from services.records.db import SCHEMA, Base
import services.records.models  # noqa: F401  (registers every table on Base.metadata)

run_env(context, SCHEMA, Base.metadata)
