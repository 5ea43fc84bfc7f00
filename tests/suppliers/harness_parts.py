"""The supplier subdomains' parts of the isolation harness (see tests/test_isolation.py)."""

from types import ModuleType

PARTS: list[ModuleType] = []

from tests.suppliers import harness_master  # noqa: E402

PARTS.append(harness_master)

from tests.suppliers import harness_evidence  # noqa: E402

PARTS.append(harness_evidence)

from tests.suppliers import harness_onboarding  # noqa: E402

PARTS.append(harness_onboarding)

from tests.suppliers import harness_audits  # noqa: E402

PARTS.append(harness_audits)

from tests.suppliers import harness_partner  # noqa: E402

PARTS.append(harness_partner)
