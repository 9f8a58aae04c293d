"""Sealing a prize winner's ID and bank account numbers at rest (PIPL art. 51: encryption of sensitive data).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under the keys of CONTEST_PAYOUT_KEY: the first seals,
every one opens, so a key is rotated by putting the new one first. Outside production the key is derived from
the secret key (contest.settings.payout_keys); production without one refuses to seal or open anything.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from contest.errors import Conflict
from contest.i18n import N_
from contest.settings import Settings, payout_keys


class PayoutKeyMissing(Conflict):
    message = N_("Prize payouts need CONTEST_PAYOUT_KEY on this server. Please tell the site's administrator.")


class Sealer:
    """Seals and opens text under the configured keys."""

    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        return cls(payout_keys(settings))

    def _cipher(self) -> MultiFernet:
        if self._fernet is None:
            raise PayoutKeyMissing
        return self._fernet

    def seal(self, text: str) -> str:
        return self._cipher().encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str:
        """The text sealed; "" for "" (erased). A token no key opens raises PayoutKeyMissing: a key was lost."""
        if not sealed:
            return ""
        try:
            return self._cipher().decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise PayoutKeyMissing from None


def new_key() -> str:
    """A fresh key for CONTEST_PAYOUT_KEY (`contest payout-key`)."""
    return Fernet.generate_key().decode()
