"""A shipped migration never changes: each one's statements are pinned by hash.

Moving a migration's text to another module is fine (the hash covers the statements, not where they live);
changing a single character of a shipped one fails here. A new migration adds its line below.
"""

from __future__ import annotations

import hashlib

from flowtui.engine.storage.schema import MIGRATIONS

SHIPPED = {
    1: "2bd5e59390cc3ef5949b5ae8aa9631b4bd6d8b49dbfd2796c97f697fbd28e86e",
    2: "64ed3c895b6ce362062a22de6cd88fcd8c8080976da3a04116523c8279ba00f5",
    3: "a774867d6b5ee60af95e1537e5ebc368d5d436a046cb28f7b3b85a070cac5129",
    4: "572fe948b08719ffae33dd3771b2191cb28c636e6db0178b05fbd6c09b8bfebb",
    5: "7fec29c70a826a263b5a1f8a975c2a3b6d0f9680a19b00e688a8c7681bb5cf73",
    6: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    7: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    8: "90a926a989bda6c9cd30d6792505a3ab15cd8f17bd3c1cfe95494515533b8f53",
    9: "e1d9774606ee434ef02ce0711eda21daef9131ee5a1b00f9a0142cb4f695ff4f",
    10: "17dbcd01b0c62ca4212e0e469fd90c0ad23b2d9f1390abad71101f9242193648",
    12: "9c1946909b4d22d180aa6d386131bd26b40cca4992d37a1757945917b6b86e94",
    13: "d0aa68676350bf0a89a7122f450fee90268fcae1b32c87c0d902473ed2c32630",  # first shipped with #16 (re-runnable: IF NOT EXISTS)
    14: "25282ec215914551c181b932baf9f840acfcd571a90a848db23566719ff36248",  # shipping and tips (#18)
}


def _digest(statements: list[str]) -> str:
    return hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()


def test_no_shipped_migration_has_changed():
    changed = [m.version for m in MIGRATIONS if m.version in SHIPPED and _digest(m.statements()) != SHIPPED[m.version]]
    assert changed == [], f"shipped migrations {changed} were edited: restore them and add a new migration instead"


def test_every_shipped_migration_is_still_there():
    assert [m.version for m in MIGRATIONS if m.version in SHIPPED] == sorted(SHIPPED)


def test_versions_only_go_forward():
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions))
