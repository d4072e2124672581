"""Typed errors of the ledger: one root, subclasses that carry their data and read as a sentence.

The command line maps each family to its own exit code (see ``cli/errors.py``): a refused append,
a failed verification, an unusable store and an unusable key file are different things to the
person at the terminal, and a script must be able to tell them apart.
"""

from __future__ import annotations

from tlog.errors import StorageError as StorageError
from tlog.errors import TlogError

# The ledger's errors and the transparency log's are one family (the ledger is built on the log),
# so that one ``except LedgerError`` and one exit-code map cover both.
LedgerError = TlogError


# --- canonical bytes -------------------------------------------------------------------------


class CanonicalizationError(LedgerError):
    """A value cannot be put into canonical (RFC 8785) form: a float, a huge integer, a bad key."""


# --- key files -------------------------------------------------------------------------------


class KeyFileError(LedgerError):
    """A key file cannot be used."""


class KeyFileMissing(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def sentence(self) -> str:
        return f"There is no key file at {self.path}."


class KeyFileExists(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def sentence(self) -> str:
        return f"A file already exists at {self.path}; refusing to overwrite a key."


class KeyFileCorrupt(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def sentence(self) -> str:
        return f"The key file {self.path} is not an Ed25519 private key in PEM form."


class PassphraseRequired(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def sentence(self) -> str:
        return (
            f"The key file {self.path} is encrypted; give its passphrase in ASSEMBLY_PASSPHRASE "
            "or with --passphrase-file."
        )


class WrongPassphrase(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def sentence(self) -> str:
        return f"The passphrase does not open the key file {self.path}."


class BadPublicKey(KeyFileError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def sentence(self) -> str:
        return f"{self.text!r} is not an Ed25519 public key (32 bytes, base64) nor a .pub file."


# --- storage (StorageError, the root, is the log's) ---------------------------------------------


class StorageUnavailable(StorageError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def sentence(self) -> str:
        return f"Cannot reach the ledger database {self.url}: {self.reason}."


class NotALedger(StorageError):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def sentence(self) -> str:
        return f"{self.url} holds no ledger; create one with `assembly init`."


class AlreadyInitialised(StorageError):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def sentence(self) -> str:
        return f"{self.url} already holds a ledger; `assembly init` runs once per ledger."


class BadSetting(LedgerError):
    """A setting in the environment cannot be used (the sentence names it)."""


class BackupFailed(StorageError):
    """A backup could not be written (the sentence says why); no partial copy stays behind."""


class StorageFault(StorageError):
    """The database failed while a command used it; the sentence names the cause, not the
    driver's words. ``url`` is the database as shown to users (None: not known here)."""

    def __init__(self, url: str | None) -> None:
        super().__init__(url)
        self.url = url

    @property
    def where(self) -> str:
        return f"the ledger database {self.url}" if self.url else "the ledger database"


class LedgerBusy(StorageFault):
    def sentence(self) -> str:
        return (
            f"Another writer holds the lock on {self.where}; nothing was written: try again "
            "in a moment (ASSEMBLY_LOCK_TIMEOUT sets how long to wait)."
        )


class DiskFull(StorageFault):
    def sentence(self) -> str:
        return f"The disk of {self.where} is full; nothing was written: free some space."


class ConnectionLost(StorageFault):
    def sentence(self) -> str:
        return (
            f"The connection to {self.where} was lost; what was not acknowledged was not "
            "written: run the command again."
        )


class ReadOnlyDatabase(StorageFault):
    def sentence(self) -> str:
        return (
            f"{self.where[0].upper()}{self.where[1:]} is read-only here (a read-only file, "
            "folder, role or replica); nothing was written."
        )


class StatementTimedOut(StorageFault):
    def sentence(self) -> str:
        return (
            f"A statement on {self.where} ran longer than ASSEMBLY_STATEMENT_TIMEOUT allows "
            "and was cancelled; nothing was written."
        )


# --- refused appends -------------------------------------------------------------------------


class AppendRefused(LedgerError):
    """An append broke a rule of the ledger; nothing was written."""


class UnknownSigner(AppendRefused):
    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id

    def sentence(self) -> str:
        return f"Key {self.key_id} is not enrolled in this ledger; ask the charter key to enrol it."


class SignerRevoked(AppendRefused):
    def __init__(self, key_id: str, revoked_at: str) -> None:
        super().__init__(key_id, revoked_at)
        self.key_id = key_id
        self.revoked_at = revoked_at

    def sentence(self) -> str:
        return f"Key {self.key_id} was revoked at {self.revoked_at} and may no longer sign."


class SignerNotValid(AppendRefused):
    def __init__(self, key_id: str, occurred_at: str, valid_from: str, valid_until: str | None):
        super().__init__(key_id, occurred_at, valid_from, valid_until)
        self.key_id = key_id
        self.occurred_at = occurred_at
        self.valid_from = valid_from
        self.valid_until = valid_until

    def sentence(self) -> str:
        until = self.valid_until or "open-ended"
        return (
            f"Key {self.key_id} is valid from {self.valid_from} until {until}, "
            f"not at {self.occurred_at}."
        )


class RoleNotAllowed(AppendRefused):
    def __init__(self, key_id: str, role: str, event_type: str) -> None:
        super().__init__(key_id, role, event_type)
        self.key_id = key_id
        self.role = role
        self.event_type = event_type

    def sentence(self) -> str:
        return f"Key {self.key_id} has role {self.role!r}, which may not write {self.event_type}."


class UnknownRole(AppendRefused):
    def __init__(self, role: str, known: tuple[str, ...]) -> None:
        super().__init__(role, known)
        self.role = role
        self.known = known

    def sentence(self) -> str:
        return f"Role {self.role!r} is not one of {', '.join(self.known)}."


class BadSignature(AppendRefused):
    def __init__(self, key_id: str, event_type: str) -> None:
        super().__init__(key_id, event_type)
        self.key_id = key_id
        self.event_type = event_type

    def sentence(self) -> str:
        return f"The signature on {self.event_type} does not verify with key {self.key_id}."


class StreamVersionConflict(AppendRefused):
    def __init__(self, stream: str, expected: int, actual: int | None = None) -> None:
        super().__init__(stream, expected, actual)
        self.stream = stream
        self.expected = expected
        self.actual = actual

    def sentence(self) -> str:
        actual = "another version" if self.actual is None else f"version {self.actual}"
        return (
            f"Stream {self.stream} is at {actual}, not at the expected version {self.expected}; "
            "someone else wrote to it first: reload and try again."
        )


class InvalidEvent(AppendRefused):
    """The event itself is malformed: a bad type name, a timestamp in the future, too large."""


class NotCanonical(InvalidEvent):
    """An event body is valid JSON but not its own RFC 8785 canonical form."""

    def sentence(self) -> str:
        return f"The event body is not canonical: {self.args[0]}."


class WrongLedger(AppendRefused):
    """An event signed for another ledger (or a copy of this one), or under an old context."""


class LedgerIsACopy(AppendRefused):
    """The database is not where the ledger was made: a copy must take its own identity."""

    def __init__(self, home: str, here: str) -> None:
        super().__init__(home, here)
        self.home = home
        self.here = here

    def sentence(self) -> str:
        return (
            f"This ledger was made at {self.home} and is now opened at {self.here}, so it is a "
            "copy or was moved; it accepts no writes until it is told which: for a copy (staging, "
            "tests), `assembly ledger new-identity` gives it its own identity; for the same "
            "ledger moved, `assembly ledger moved` records its new place."
        )


class LedgerRuleBroken(AppendRefused):
    """A ledger event (enrolment, revocation) breaks the ledger's own rules."""


# --- verification ----------------------------------------------------------------------------


class VerificationFailed(LedgerError):
    """The stored ledger does not verify; ``seq`` is the first entry found bad."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(seq, problem)
        self.seq = seq
        self.problem = problem

    def sentence(self) -> str:
        return f"Verification failed at seq {self.seq}: {self.problem}."


class HeadMismatch(VerificationFailed):
    """The ledger is shorter than, or diverges from, a head seen before (truncation, rollback)."""


class BadHead(LedgerError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def sentence(self) -> str:
        return f"{self.text!r} is not a head; write it as SEQ:HASH (hash in hex)."
