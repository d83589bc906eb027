"""The core's error types. Each message says what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence


class TautError(Exception):
    """Base class for every error raised by ``taut.core``.

    ``code`` is a stable machine-readable word (for the API and the callers' branches); ``field`` names
    the input at fault ("answers.3", "landmarks.left_hip") or is None. Callers read these two, never
    the English message.
    """

    code: str = "invalid"
    field: str | None = None

    def __init__(self, *args: object, code: str | None = None, field: str | None = None) -> None:
        super().__init__(*args)
        if code is not None:
            self.code = code
        if field is not None:
            self.field = field


class KnowledgeBaseError(TautError):
    """One problem in one knowledge-base data file."""

    code = "knowledge_base"

    def __init__(self, file: str, line: int | None, what: str, how_to_fix: str) -> None:
        self.file = file
        self.line = line
        self.what = what
        self.how_to_fix = how_to_fix
        super().__init__(self.message)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    @property
    def message(self) -> str:
        return f"{self.where}: {self.what}. How to fix: {self.how_to_fix}"


class InvalidKnowledgeBaseError(TautError):
    """The knowledge base did not load; carries every problem found."""

    code = "knowledge_base"

    def __init__(self, errors: Sequence[KnowledgeBaseError]) -> None:
        self.errors: tuple[KnowledgeBaseError, ...] = tuple(errors)
        lines = [f"The knowledge base has {len(self.errors)} problem(s):"]
        lines.extend(f"  - {error.message}" for error in self.errors)
        super().__init__("\n".join(lines))


class UnknownZoneError(TautError, LookupError):
    """A body zone name or id that matches nothing."""

    code = "unknown_zone"

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        hint = (
            "Did you mean: " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else "Try a plainer word (for example 'temple', 'calf', 'left shoulder'),"
            " or run `taut zones search TEXT` to list matching zones."
        )
        super().__init__(f"No body zone is called {name!r}. {hint}")


class UnknownEntryError(TautError, LookupError):
    """A muscle, nerve, condition or other knowledge-base entry that does not exist."""

    code = "unknown_entry"

    def __init__(self, kind: str, name: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.name = name
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        hint = (
            "Did you mean: " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else f"Check the spelling, or run `taut kb stats` to see which {kind} entries exist."
        )
        super().__init__(f"No {kind} is called {name!r}. {hint}")


class MediaError(TautError, ValueError):
    """A photo or video that cannot be used. ``code`` is stable (for the API); the message says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class NotAvailable(TautError, LookupError):
    """What was asked of a record is not there (a plot before the analysis is done); the views answer 404."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class FieldError(TautError, ValueError):
    """An input that cannot be used, at a named field; the message starts with the field's name."""

    field: str

    def __init__(self, field_name: str, message: str, *, code: str = "invalid") -> None:
        super().__init__(f"{field_name}: {message}", code=code, field=field_name)


class MeasurementError(FieldError):
    """Landmarks or keypoints that cannot give a measurement (missing, degenerate, wrong view)."""
