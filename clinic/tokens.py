"""API tokens that end (API.md, Tokens and limits): django-rest-knox keeps only a
SHA-512 digest of each token and its expiry; these functions issue and revoke
them, each an audit event. Revoking deletes the row, so a revoked token and an
expired one are the same `401`."""

import binascii

from django.conf import settings
from django.db import transaction
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

from .audit import record


@transaction.atomic
def issue_token(*, user) -> tuple[str, AuthToken]:
    """A new token for `user`, lasting API_TOKEN_HOURS; the key is shown once."""
    instance, key = AuthToken.objects.create(user=user, expiry=settings.API_TOKEN_TTL)
    record(actor=user, action="token.issued", target=user, detail=f"expires {instance.expiry}")
    return key, instance


def revoke_token(*, token: AuthToken, by, reason: str = "sign-out") -> None:
    token.delete()
    record(actor=by, action="token.revoked", target=token.user, detail=f"1 by {reason}")


@transaction.atomic
def revoke_all_tokens(*, user, by, reason: str) -> int:
    """Every token of `user` (a password change, deactivation, a second factor,
    the manager's or the user's own sign-out everywhere); audited when any existed."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    if count:
        record(actor=by, action="token.revoked", target=user, detail=f"{count} by {reason}")
    return count


class ExpiringTokenAuthentication(TokenAuthentication):
    """knox's `Token <key>` header, and a header that is not UTF-8 a 401, not a 500."""

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        try:
            return super().authenticate_credentials(token)
        except (binascii.Error, ValueError) as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for the header, as it was before knox (`tokenAuth`)."""

    target_class = "clinic.tokens.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
