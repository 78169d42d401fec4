"""The development secrets are written twice, in Python (libs/common/settings.py) and in the
gateway's TypeScript config; a mismatch would make every request through `make run` fail."""

import re
from pathlib import Path

from libs.common import settings

GATEWAY_CONFIG = Path(settings.__file__).resolve().parents[2] / "services/gateway/gateway.config.ts"


def _ts_constant(name: str) -> str:
    match = re.search(rf"export const {name}\s*=\s*'([^']*)'", GATEWAY_CONFIG.read_text())
    assert match, f"{name} is not defined in {GATEWAY_CONFIG}"
    return match.group(1)


def test_gateway_and_services_share_the_development_secrets():
    assert _ts_constant("DEV_GATEWAY_SECRET") == settings.DEV_GATEWAY_SECRET
    assert _ts_constant("DEV_JWT_SECRET") == settings.DEV_JWT_SECRET


def test_settings_refuse_unknown_arguments():
    import pytest
    from pydantic import ValidationError

    from services.records.config import RecordsSettings

    with pytest.raises(ValidationError, match="identity_url"):
        RecordsSettings(identity_url="http://identity")
