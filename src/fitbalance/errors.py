"""The fitbalance error tree.

Every error the library raises on purpose derives from :class:`FitbalanceError`. Errors carry the file, the
stage and the reason, because a quarantine row is built from them, and say whether a retry could help.

    FitbalanceError
    ├── ConfigError            settings file missing a value, of the wrong type, or naming an unknown zone
    ├── InputError             terminal: the input itself is bad; never retried, quarantined with its reason
    │   ├── DecodeError        a FIT or CSV file that cannot be decoded (bad CRC, truncated, not FIT, empty)
    │   │   └── SettingRequired a CSV that can be read only with a setting the athlete has not made (the unit an
    │   │                      app exported in); quarantined with stage ``decode:settings`` and retried next run
    │   ├── UnknownFormatError a file whose content matches no reader (names the readers tried)
    │   ├── ArchiveError       a zip or gzip that is refused (bomb, traversal, too deep, corrupt)
    │   └── LimitExceeded      a file over the documented size or time caps
    │       └── TimeCapExceeded transient: decoding took longer than the time cap (a busy machine can cause it)
    ├── ReadFailed             transient: a file that could not be read (an I/O error, gone since discovery)
    ├── StoreError             DuckDB could not be opened or written
    │   └── StoreLockedError   transient: another process holds the database lock; a retry may help
    └── InternalError          a bug of fitbalance's own, not a fault of the input (e.g. in the fast FIT reader);
                               a file it hits is quarantined at stage ``internal`` ("please report it")

A file quarantined for a transient error (or for an internal error: a bug of ours, not the file's fault) is read
again on the next runs, a few times (:data:`fitbalance.rereads.MAX_ATTEMPTS`); one quarantined for a terminal error
is not, until the user asks (``fitbalance ingest --retry-quarantined``).

Foreign errors (fitdecode's FitCRCError, polars' ComputeError, duckdb's IOException, zipfile's BadZipFile) are
mapped at the boundary with ``raise OurError(...) from exc``.
"""

from __future__ import annotations


class FitbalanceError(Exception):
    """Root of every error fitbalance raises on purpose."""

    transient: bool = False

    def __init__(self, reason: str, *, path: str | None = None, stage: str | None = None) -> None:
        self.reason = reason
        self.path = path
        self.stage = stage
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{reason}")


class ConfigError(FitbalanceError):
    """The settings file or an option is invalid."""


class InputError(FitbalanceError):
    """The input file is bad. Terminal: quarantine it, never retry."""


class DecodeError(InputError):
    """A file could not be decoded."""


class SettingRequired(DecodeError):
    """A file that can be read only once the athlete sets something (``weight_unit``, ``distance_unit``).

    Terminal for this run; its quarantine row has stage :data:`SETTING_STAGE`, and the next run tries the file
    again, so adding the setting is all it takes.
    """

    def __init__(self, reason: str, *, path: str | None = None, stage: str | None = None) -> None:
        super().__init__(reason, path=path, stage=stage or SETTING_STAGE)


SETTING_STAGE = "decode:settings"
CUT_STAGE = "decode:cut"  # the quarantine row of a FIT file cut short: where it ends (no table, no rows)


class UnknownFormatError(InputError):
    """No reader recognises the file's content."""


class ArchiveError(InputError):
    """An archive was refused or could not be read."""


class LimitExceeded(InputError):
    """A file exceeds a documented size, count or time cap."""


class TimeCapExceeded(LimitExceeded):
    """Decoding one file took longer than the time cap. Transient: on a busy machine a file under the cap can take
    longer, so it is read again on the next run."""

    transient = True


class ReadFailed(FitbalanceError):
    """A file could not be read for a reason outside its content (an I/O error, a file removed since discovery).
    Transient: quarantined with stage ``read`` and read again on the next run."""

    transient = True


class StoreError(FitbalanceError):
    """The DuckDB database could not be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the database file lock. Transient: a retry may help."""

    transient = True


class InternalError(FitbalanceError):
    """Something in fitbalance's own code went wrong: never reported as a fault of the input."""
