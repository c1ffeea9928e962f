"""The development articles that were sealed until a given engine change, by the session that
opened them: floors keep each set's earlier figures on the articles it had then."""

from __future__ import annotations

# opened after the last engine change of 2026-12-04's second session
SEALED_2026_12_04_B = frozenset({"armenia-legislation-domestic-affair-baghdasaryan",
                                 "iran-fm-caspian-legal-status-moscow",
                                 "russia-denies-strategic-bombers-kant"})
# opened during 2026-12-04's third session
SEALED_2026_12_04_C = frozenset({"georgia-wine-exports-russia-salvation",
                                 "iran-armenia-gas-electricity-barter",
                                 "kyrgyz-uzbek-border-delimitation-complete"})
