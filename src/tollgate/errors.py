"""Domain errors: raised by services, mapped to HTTP responses in one place (``api.app``).

Each carries a stable machine-readable ``code`` and an HTTP ``status`` so the CLI and the
API report the same thing the same way.
"""

from __future__ import annotations

from typing import Any


class TollgateError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            out["details"] = self.details
        return out


class ValidationFailed(TollgateError):
    status = 422
    code = "validation_failed"


class NotAuthenticated(TollgateError):
    status = 401
    code = "not_authenticated"


class NotAuthorised(TollgateError):
    status = 403
    code = "not_authorised"


class NotFound(TollgateError):
    status = 404
    code = "not_found"


class Conflict(TollgateError):
    status = 409
    code = "conflict"


class PayloadTooLarge(TollgateError):
    status = 413
    code = "payload_too_large"


class ReferenceDataMissing(TollgateError):
    status = 500
    code = "reference_data_missing"


class AuditTampered(TollgateError):
    status = 500
    code = "audit_tampered"
