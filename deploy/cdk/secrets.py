"""The application's own secret: the JWT signing key every service verifies tokens with."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deploy.cdk.environments import Environment

JWT_KEY_LENGTH = 64  # characters of [A-Za-z0-9]: about 380 bits, well over the 32 bytes HS256 needs


class AppSecrets(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.jwt = secretsmanager.Secret(
            self, "JwtSigningKey",
            secret_name=f"{env.resource_name('jwt-secret')}",
            description="FILMSTUDIO_JWT_SECRET: the key Film Studio signs and verifies tokens with",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=JWT_KEY_LENGTH, exclude_punctuation=True, include_space=False),
            removal_policy=RemovalPolicy.RETAIN if env.deletion_protection else RemovalPolicy.DESTROY,
        )
        # Not rotated on a schedule: the services read one signing key, and rotating it signs every user
        # out; a release rotates it (a new value, a rolling restart).
