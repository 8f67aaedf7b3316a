"""The customer-managed KMS keys: one per kind of data, so a grant on one never opens another."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from deploy.cdk.environments import Environment


class Keys(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id)
        retain = RemovalPolicy.RETAIN if env.deletion_protection else RemovalPolicy.DESTROY
        stack = Stack.of(self)

        def key(name: str, description: str) -> kms.Key:
            return kms.Key(self, name, alias=f"alias/{env.resource_name(name.lower())}", description=description,
                           enable_key_rotation=True, removal_policy=retain)

        self.media = key("Media", "Film Studio media bucket (films, assets)")
        self.models = key("Models", "Film Studio model weights bucket")
        self.database = key("Database", "Film Studio PostgreSQL storage, snapshots, Performance Insights")
        self.cluster = key("Cluster", "Film Studio EKS Kubernetes secrets envelope encryption")
        self.secrets = key("Secrets", "Film Studio Secrets Manager secrets (JWT key, database credentials)")
        self.registry = key("Registry", "Film Studio ECR images")
        self.logs = key("Logs", "Film Studio CloudWatch log groups")
        self.interruptions = key("Interruptions", "Film Studio Karpenter interruption queue (EC2 and Health events)")
        # EventBridge writes the events into the queue under this key (its documented key policy for an
        # encrypted SQS target).
        self.interruptions.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
        ))
        # CloudWatch Logs encrypts the cluster's log group with this key (only log groups of this account).
        self.logs.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{env.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:aws:logs:{env.region}:{stack.account}:log-group:*"}},
        ))
