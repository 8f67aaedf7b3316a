"""One environment's whole stack, its parts wired together, and the outputs the k8s overlays read."""

from __future__ import annotations

from aws_cdk import CfnOutput, Fn, Stack, Tags
from aws_cdk import Environment as AwsEnvironment
from constructs import Construct

from deploy.cdk.cdn import MediaCdn
from deploy.cdk.cluster import Cluster
from deploy.cdk.database import Database, MASTER_USER, DATABASE, PORT
from deploy.cdk.environments import STORE_PREFIX, Environment
from deploy.cdk.karpenter import Karpenter
from deploy.cdk.keys import Keys
from deploy.cdk.network import Network
from deploy.cdk.registry import Registry
from deploy.cdk.secrets import AppSecrets
from deploy.cdk.service_roles import ServiceRoles
from deploy.cdk.storage import Storage


class FilmStudioStack(Stack):
    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, f"FilmStudio-{env.name}", env=AwsEnvironment(region=env.region),
                         description=f"Film Studio {env.name}: VPC, EKS, Karpenter, RDS PostgreSQL, S3, CloudFront, "
                                     "ECR, IRSA")
        self._zones = env.zones
        Tags.of(self).add("project", "filmstudio")
        Tags.of(self).add("environment", env.name)

        keys = Keys(self, "Keys", env=env)
        storage = Storage(self, "Storage", env=env, media_key=keys.media, models_key=keys.models)
        network = Network(self, "Network", env=env, log_bucket=storage.logs)
        cdn = MediaCdn(self, "Cdn", env=env, media=storage.media, logs=storage.logs)
        registry = Registry(self, "Registry", env=env, key=keys.registry)
        cluster = Cluster(self, "Cluster", env=env, vpc=network.vpc, secrets_key=keys.cluster, logs_key=keys.logs)
        database = Database(self, "Database", env=env, vpc=network.vpc,
                            node_security_group_id=cluster.node_security_group_id, key=keys.database,
                            secrets_key=keys.secrets)
        karpenter = Karpenter(self, "Karpenter", env=env, vpc=network.vpc, cluster=cluster.cluster,
                              cluster_security_group_id=cluster.node_security_group_id,
                              oidc_provider_arn=cluster.oidc_provider.attr_arn, oidc_issuer=cluster.oidc_issuer,
                              queue_key=keys.interruptions)
        secrets = AppSecrets(self, "Secrets", env=env, key=keys.secrets)
        roles = ServiceRoles(self, "ServiceRoles", env=env, oidc_provider_arn=cluster.oidc_provider.attr_arn,
                             oidc_issuer=cluster.oidc_issuer, media=storage.media, media_key=keys.media,
                             models=storage.models, models_key=keys.models,
                             database_resource_id=database.instance.attr_dbi_resource_id,
                             database_user=MASTER_USER)

        outputs = {
            "ClusterName": (cluster.cluster.ref, "EKS cluster (aws eks update-kubeconfig --name ...)"),
            "Namespace": (env.namespace, "Kubernetes namespace of every service"),
            "MediaBucket": (storage.media.bucket_name, "the media bucket (films, assets)"),
            "StoreUrl": (f"s3://{storage.media.bucket_name}/{STORE_PREFIX}",
                         "FILMSTUDIO_STORE_URL (ConfigMap filmstudio)"),
            "MediaKeyArn": (keys.media.key_arn, "KMS key of the media bucket"),
            "ModelsBucket": (storage.models.bucket_name, "weights the triton init container syncs"),
            "MediaCdnDomain": (cdn.distribution.distribution_domain_name, "CloudFront domain of the media bucket"),
            "DatabaseEndpoint": (database.endpoint, f"PostgreSQL host (port {PORT}, database {DATABASE})"),
            "DatabaseSecretArn": (database.secret_arn, "RDS-managed credentials (username, password), rotated"),
            "JwtSecretArn": (secrets.jwt.secret_arn, "FILMSTUDIO_JWT_SECRET"),
            "ServicesRepositoryUri": (registry.repositories["filmstudio/services"].attr_repository_uri,
                                      "image filmstudio/services"),
            "TritonRepositoryUri": (registry.repositories["filmstudio/triton"].attr_repository_uri,
                                    "image filmstudio/triton"),
            "KarpenterNodeRoleName": (karpenter.node_role.ref, "the role of Karpenter's nodes (EC2NodeClass gpu)"),
            "KarpenterNodeInstanceProfile": (karpenter.instance_profile.ref,
                                             "instanceProfile of EC2NodeClass gpu (k8s/cluster)"),
            "KarpenterControllerRoleArn": (karpenter.controller_role.attr_arn,
                                           "eks.amazonaws.com/role-arn of ServiceAccount kube-system/karpenter"),
            "KarpenterInterruptionQueue": (karpenter.queue.attr_queue_name,
                                           "the Karpenter chart's settings.interruptionQueue"),
        }
        for service_account, role in roles.roles.items():
            # One ServiceAccount per service (k8s/ runs all of them as "filmstudio" today).
            outputs[f"{service_account.capitalize()}ServiceAccount"] = (
                service_account, f"the ServiceAccount of {service_account} in {env.namespace}, the role below trusts")
            outputs[f"{service_account.capitalize()}RoleArn"] = (
                role.attr_arn, f"eks.amazonaws.com/role-arn of ServiceAccount {env.namespace}/{service_account}")
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)

    @property
    def availability_zones(self) -> list[str]:
        # An account-agnostic stack would get two zones (and hard-coded names would tie the template to one
        # region's names): the region's first `zones` ones, resolved by CloudFormation.
        return [Fn.select(index, Fn.get_azs()) for index in range(self._zones)]
