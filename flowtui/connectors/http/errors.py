"""What the HTTP toolkit raises: a user's error (a :class:`FlowError`), or a reply worth asking for again."""

from __future__ import annotations

from flowtui.engine.core.errors import FlowError


class HttpError(FlowError):
    """A remote service could not be used; ``str(err)`` says why and what to do."""


class CredentialsRefused(HttpError):
    """The service answered 401 or 403: asking again will not help, the credentials must change."""

    def __init__(self, service: str, status: int, hint: str) -> None:
        super().__init__(f"{service} refused the credentials ({status}): {hint}.")
        self.service, self.status = service, status


class UnexpectedStatus(HttpError):
    """A status that is neither success nor worth asking again (404, 400...)."""

    def __init__(self, service: str, status: int, path: str) -> None:
        super().__init__(f"{service} answered HTTP {status} for {path}.")
        self.service, self.status, self.path = service, status, path


class UnexpectedListing(HttpError):
    """A paginated listing that would loop, or lead to another host."""

    def __init__(self, service: str, path: str, what: str) -> None:
        super().__init__(f"{service}'s listing {path} cannot be followed: {what}.")


class GaveUp(HttpError):
    """Every attempt failed, or the request's deadline came first; ``last`` is the last reason."""

    def __init__(self, service: str, path: str, *, attempts: int, last: str, deadline: float | None,
                 out_of_time: bool) -> None:
        if out_of_time:
            message = f"{service} did not answer {path} within {deadline:g} s ({attempts} attempt(s): {last})."
        else:
            message = f"{service} kept failing on {path} ({last}) after {attempts} attempts."
        super().__init__(message)
        self.service, self.path, self.attempts, self.last = service, path, attempts, last
        self.deadline, self.out_of_time = deadline, out_of_time


class RetryLater(Exception):
    """Raised by a reply's reader (or by the client) when asking again makes sense.

    ``reason`` says what went wrong, for the message if every attempt fails (``None``: keep the previous
    reason); ``after`` is how long the service asked us to wait, in seconds (a ``Retry-After``, a cost
    bucket's refill time), if it said.
    """

    def __init__(self, reason: str | None, after: float | None = None) -> None:
        super().__init__(reason or "try again")
        self.reason, self.after = reason, after
