from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from patron.api.models import ApiToken, hash_key

# "Last used" is shown to the minute: writing it on every request made each GET a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`); the token's workspace is the request's."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"bearer", b"token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("membership__user", "membership__workspace")
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None or not token.membership.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.membership.user, token
