"""IRSA: one IAM role per Kubernetes service account, each trusting only its own account's tokens.

Today every Deployment in k8s/ runs as the one service account "filmstudio"; these roles are for one
account per service (SERVICE_ACCOUNTS), so Triton cannot delete a film and the gateway cannot read weights.
"""

from __future__ import annotations

import dataclasses
import json

from aws_cdk import Fn, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.cdk.environments import Environment

READ = ("s3:GetObject",)
WRITE = ("s3:PutObject", "s3:AbortMultipartUpload")
DELETE = ("s3:DeleteObject",)
LIST = ("s3:ListBucket",)
KEY_READ = ("kms:Decrypt",)
KEY_WRITE = ("kms:GenerateDataKey",)  # SSE-KMS needs a data key to write an object


@dataclasses.dataclass(frozen=True)
class ServiceAccess:
    service_account: str  # in the environment's namespace
    media: tuple[str, ...]  # S3 actions on the media bucket's objects
    models: tuple[str, ...] = ()  # S3 actions on the models bucket's objects
    database_login: bool = False  # rds-db:connect as the database's user (IAM authentication)


SERVICE_ACCOUNTS = (
    # The sweeper purges films: the only one that deletes.
    ServiceAccess("orchestrator", media=READ + WRITE + DELETE, database_login=True),
    ServiceAccess("composer", media=READ + WRITE),
    ServiceAccess("gateway", media=READ + WRITE),  # presigns film downloads and portrait uploads
    ServiceAccess("triton", media=READ + WRITE, models=READ),  # models write their results to the media store
)


class ServiceRoles(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, oidc_provider_arn: str, oidc_issuer: str,
                 media: s3.IBucket, media_key: kms.IKey, models: s3.IBucket, models_key: kms.IKey,
                 database_resource_id: str, database_user: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.roles: dict[str, iam.CfnRole] = {}
        for access in SERVICE_ACCOUNTS:
            statements = _bucket_statements("Media", media, media_key, access.media)
            if access.models:
                statements += _bucket_statements("Models", models, models_key, access.models)
            if access.database_login:
                statements.append({
                    "Sid": "DatabaseLogin", "Effect": "Allow", "Action": "rds-db:connect",
                    "Resource": f"arn:{stack.partition}:rds-db:{stack.region}:{stack.account}:dbuser:"
                                f"{database_resource_id}/{database_user}"})
            self.roles[access.service_account] = iam.CfnRole(
                self, access.service_account.capitalize(),
                role_name=env.resource_name(access.service_account),
                description=f"IRSA role of system:serviceaccount:{env.namespace}:{access.service_account}",
                assume_role_policy_document=trust_policy(env.namespace, access.service_account, oidc_provider_arn,
                                                         oidc_issuer),
                policies=[iam.CfnRole.PolicyProperty(
                    policy_name="filmstudio",
                    policy_document={"Version": "2012-10-17", "Statement": statements})],
            )


def trust_policy(namespace: str, service_account: str, provider_arn: str, issuer: str) -> object:
    """The role's trust: web identity tokens from the cluster's issuer for this one service account.

    The condition keys begin with the issuer, known only once the cluster exists, and CloudFormation takes
    no functions in a key: the document is a JSON string with ${Issuer} substituted (Fn::Sub), not CfnJson,
    which would add a custom-resource Lambda to the stack."""
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "${ProviderArn}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            "${Issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
            "${Issuer}:aud": "sts.amazonaws.com",
        }},
    }]}
    return Fn.sub(json.dumps(document), {"ProviderArn": provider_arn, "Issuer": issuer})


def _bucket_statements(sid: str, bucket: s3.IBucket, key: kms.IKey, actions: tuple[str, ...]) -> list[dict]:
    key_actions = KEY_READ + (KEY_WRITE if set(actions) & set(WRITE) else ())
    return [
        {"Sid": f"{sid}Objects", "Effect": "Allow", "Action": list(actions), "Resource": bucket.arn_for_objects("*")},
        {"Sid": f"{sid}List", "Effect": "Allow", "Action": list(LIST), "Resource": bucket.bucket_arn},
        {"Sid": f"{sid}Key", "Effect": "Allow", "Action": list(key_actions), "Resource": key.key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{Stack.of(bucket).region}.amazonaws.com"}}},
    ]
