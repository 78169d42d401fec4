from alembic import context

from libs.common.migrate import run_env
from services.sanctions.db import SCHEMA, Base
import services.sanctions.models  # noqa: F401  (registers every table on Base.metadata)

run_env(context, SCHEMA, Base.metadata)
