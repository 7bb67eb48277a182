"""The hall's exceptions: one root, each with the HTTP status and stable code it answers with.

Messages never carry personal data: they name case numbers and item ids at most.
"""

from __future__ import annotations


class HallError(Exception):
    """Root of the hall's errors; ``status_code`` and ``code`` make the ``ErrorPublic`` answer."""

    status_code = 500
    code = "internal_error"


class UnknownItemError(HallError):
    """The submission names an item the catalog does not have, or one that takes no submissions."""

    status_code = 422
    code = "unknown_item"


class ApplicantRequiredError(HallError):
    """An instant item was submitted without the applicant's ID card data."""

    status_code = 422
    code = "applicant_required"


class IdempotencyKeyReusedError(HallError):
    """The idempotency key was used before with another payload (a client bug)."""

    status_code = 422
    code = "idempotency_key_reused"


class CaseNumberConflictError(HallError):
    """The case number belongs to a submission made under another idempotency key."""

    status_code = 409
    code = "case_number_conflict"


class InProgressError(HallError):
    """A request with the same idempotency key is still being processed."""

    status_code = 409
    code = "in_progress"


class CaseNotFoundError(HallError):
    """The hall has no case with this number."""

    status_code = 404
    code = "case_not_found"


class CertificateError(HallError):
    """A certificate cannot be made: unknown template or missing shared data."""

    status_code = 500
    code = "certificate_error"


class SigningKeyError(HallError):
    """The signing key file cannot be read, made or parsed."""


class IdempotencyKeyRequiredError(HallError):
    """A submission came without a usable ``Idempotency-Key`` header."""

    status_code = 400
    code = "idempotency_key_required"


class HeartbeatTooLargeError(HallError):
    """A heartbeat body is over ``hall.schema.HEARTBEAT_MAX_BYTES``."""

    status_code = 413
    code = "heartbeat_too_large"


class MaterialError(HallError):
    """A material's bytes are not what it declares; the terminal shows the code to staff."""

    status_code = 422
    code = "material_invalid"


class MaterialNotBase64Error(MaterialError):
    """A material's ``data_b64`` is not standard base64."""

    code = "material_not_base64"


class MaterialDigestMismatchError(MaterialError):
    """A material's bytes do not hash to its declared ``sha256`` (damaged on the way)."""

    code = "material_digest_mismatch"


class MaterialTypeInvalidError(MaterialError):
    """A material's ``content_type`` is not an accepted image type, or its bytes are not one."""

    code = "material_type_invalid"


class UnauthenticatedError(HallError):
    """No valid request signature: unsigned, malformed, bad, stale, replayed or unknown key."""

    status_code = 401
    code = "unauthenticated"


class RevokedTerminalError(HallError):
    """The signing terminal has been revoked."""

    status_code = 403
    code = "revoked"


class TerminalMismatchError(HallError):
    """The body names another terminal than the one whose key signed the request."""

    status_code = 403
    code = "terminal_mismatch"


class EnrolmentRefusedError(HallError):
    """An enrolment code that is unknown, used already or expired (one answer for all three)."""

    status_code = 403
    code = "enrolment_refused"


class SchemaNotReadyError(HallError):
    """The database is not at the schema this hall needs: ``kiosk-hall migrate`` brings it there."""
