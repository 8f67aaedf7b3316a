"""The S3 buckets: media (films/{id}/..., assets/...), models (weights Triton syncs), and their access logs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.cdk.environments import STORE_PREFIX, TRASH_PURGE_DAYS, Environment
from deploy.cdk.suppressions import skip_checkov

# Objects under the store's trash/ are purged after TRASH_PURGE_DAYS. Today the orchestrator keeps a film's
# trash in the database (films.deleted_at) and its sweeper deletes the objects itself after 30 days
# (orchestrator/sweeper.py); this rule is the store's own backstop for anything moved to trash/.
TRASH_PREFIX = f"{STORE_PREFIX}/trash/"


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, media_key: kms.IKey,
                 models_key: kms.IKey) -> None:
        super().__init__(scope, id)
        retain = RemovalPolicy.RETAIN if env.deletion_protection else RemovalPolicy.DESTROY

        # Server access logs, CloudFront logs and VPC flow logs. S3 server access logging delivers only to
        # a bucket with SSE-S3 default encryption, and CloudFront's standard logs need ACLs (object
        # ownership "bucket owner preferred").
        self.logs = s3.Bucket(
            self, "Logs",
            bucket_name=env.resource_name("logs"),
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            enforce_ssl=True,
            versioned=True,
            removal_policy=retain,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(env.access_log_days),
                                              noncurrent_version_expiration=Duration.days(1))],
        )
        skip_checkov(self.logs, "CKV_AWS_18", "the log bucket itself: logging its access would log forever")

        trash = s3.LifecycleRule(id="purge-trash", prefix=TRASH_PREFIX, expiration=Duration.days(TRASH_PURGE_DAYS))
        self.media = self._bucket("Media", env, media_key, retain, [trash])
        self.models = self._bucket("Models", env, models_key, retain, [])

    def _bucket(self, id: str, env: Environment, key: kms.IKey, retain: RemovalPolicy,
                rules: list[s3.LifecycleRule]) -> s3.Bucket:
        return s3.Bucket(
            self, id,
            bucket_name=env.resource_name(id.lower()),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix=f"s3/{id.lower()}/",
            removal_policy=retain,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-noncurrent-versions",
                                 noncurrent_version_expiration=Duration.days(env.noncurrent_version_days),
                                 expired_object_delete_marker=True),
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(7)),
                *rules,
            ],
        )
