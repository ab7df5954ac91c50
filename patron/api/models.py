"""API tokens: each belongs to one user in one workspace and works only there."""

import hashlib
import secrets

from django.db import models

PREFIX = "ptn_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the key is shown once."""

    membership = models.ForeignKey(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “nightly export”.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def issue(cls, *, membership, name: str) -> tuple["ApiToken", str]:
        """Create a token; returns it with its key, which is never readable again."""
        key = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership, name=name, key_hash=hash_key(key), key_hint=key[:10]
        )
        return token, key
