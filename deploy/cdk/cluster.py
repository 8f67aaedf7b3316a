"""The EKS cluster from CloudFormation's own resources (L1): the L2 aws_eks construct needs a kubectl
Lambda layer and custom-resource Lambdas this app does not want to own. A CPU node group, a GPU node group
(labelled workload: gpu, tainted nvidia.com/gpu=true:NoSchedule), all control-plane logs, Kubernetes
secrets encrypted with a KMS key, a private endpoint, and the OIDC provider IRSA trusts."""

from __future__ import annotations

from aws_cdk import Fn, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from deploy.cdk.environments import Environment, NodeGroupSize
from deploy.cdk.service_roles import trust_policy

CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
GPU_LABELS = {"workload": "gpu"}  # k8s/triton.yaml nodeSelector
GPU_TAINT = eks.CfnNodegroup.TaintProperty(key="nvidia.com/gpu", value="true", effect="NO_SCHEDULE")


def _managed(*names: str) -> list[str]:
    return [f"arn:{Fn.ref('AWS::Partition')}:iam::aws:policy/{name}" for name in names]


class Cluster(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, vpc: ec2.IVpc, secrets_key: kms.IKey,
                 logs_key: kms.IKey) -> None:
        super().__init__(scope, id)
        name = env.resource_name("cluster")
        # EKS writes to this group by name; made here so it has a retention and a key.
        self.log_group = logs.CfnLogGroup(self, "ControlPlaneLogs", log_group_name=f"/aws/eks/{name}/cluster",
                                          retention_in_days=env.log_retention_days, kms_key_id=logs_key.key_arn)
        self.log_group.apply_removal_policy(RemovalPolicy.RETAIN if env.deletion_protection else RemovalPolicy.DESTROY)

        role = iam.CfnRole(
            self, "ClusterRole",
            assume_role_policy_document=_trust("eks.amazonaws.com"),
            managed_policy_arns=_managed("AmazonEKSClusterPolicy"),
        )
        public = bool(env.public_endpoint_cidrs)
        self.cluster = eks.CfnCluster(
            self, "Cluster",
            name=name,
            version=env.kubernetes_version,
            role_arn=role.attr_arn,
            resources_vpc_config=eks.CfnCluster.ResourcesVpcConfigProperty(
                subnet_ids=[subnet.subnet_id for subnet in vpc.private_subnets],
                endpoint_private_access=True,
                endpoint_public_access=public,
                public_access_cidrs=list(env.public_endpoint_cidrs) if public else None,
            ),
            encryption_config=[eks.CfnCluster.EncryptionConfigProperty(
                provider=eks.CfnCluster.ProviderProperty(key_arn=secrets_key.key_arn), resources=["secrets"])],
            logging=eks.CfnCluster.LoggingProperty(cluster_logging=eks.CfnCluster.ClusterLoggingProperty(
                enabled_types=[eks.CfnCluster.LoggingTypeConfigProperty(type=t) for t in CONTROL_PLANE_LOGS])),
            access_config=eks.CfnCluster.AccessConfigProperty(authentication_mode="API"),
        )
        self.cluster.node.add_dependency(self.log_group)
        # The cluster security group EKS makes and puts on every managed node: the database admits it.
        self.node_security_group_id = self.cluster.attr_cluster_security_group_id

        self.node_role = iam.CfnRole(
            self, "NodeRole",
            assume_role_policy_document=_trust("ec2.amazonaws.com"),
            managed_policy_arns=_managed("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
                                         "AmazonEC2ContainerRegistryReadOnly"),
        )
        subnets = [subnet.subnet_id for subnet in vpc.private_subnets]
        self.cpu_nodes = self._node_group("CpuNodes", env.resource_name("cpu"), env.cpu_nodes, subnets,
                                          ami_type="AL2023_x86_64_STANDARD")
        self.gpu_nodes = self._node_group("GpuNodes", env.resource_name("gpu"), env.gpu_nodes, subnets,
                                          ami_type="AL2023_x86_64_NVIDIA", labels=GPU_LABELS, taints=[GPU_TAINT])

        # IRSA: IAM trusts the cluster's service-account tokens through its OIDC issuer.
        self.oidc_provider = iam.CfnOIDCProvider(
            self, "OidcProvider",
            url=self.cluster.attr_open_id_connect_issuer_url,
            client_id_list=["sts.amazonaws.com"],
        )
        # "oidc.eks.<region>.amazonaws.com/id/<id>": the issuer without its scheme, the trust conditions' prefix.
        self.oidc_issuer = Fn.select(1, Fn.split("https://", self.cluster.attr_open_id_connect_issuer_url))

        # The EBS CSI driver makes the gp3 volume Triton's weights live on (k8s triton-models claim), under
        # its own IRSA role.
        ebs_role = iam.CfnRole(
            self, "EbsCsiRole",
            assume_role_policy_document=trust_policy("kube-system", "ebs-csi-controller-sa",
                                                     self.oidc_provider.attr_arn, self.oidc_issuer),
            managed_policy_arns=_managed("service-role/AmazonEBSCSIDriverPolicy"),
        )
        eks.CfnAddon(self, "EbsCsiDriver", cluster_name=self.cluster.ref, addon_name="aws-ebs-csi-driver",
                     service_account_role_arn=ebs_role.attr_arn, resolve_conflicts="OVERWRITE")

    def _node_group(self, id: str, name: str, size: NodeGroupSize, subnets: list[str], *, ami_type: str,
                    labels: dict[str, str] | None = None,
                    taints: list[eks.CfnNodegroup.TaintProperty] | None = None) -> eks.CfnNodegroup:
        # IMDSv2 with one hop: pods (IRSA) cannot borrow the node's role; hostNetwork pods (the VPC CNI) can.
        # The root volume is encrypted whatever the account's EBS default.
        data = ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
                http_tokens="required", http_put_response_hop_limit=1, http_endpoint="enabled"),
            block_device_mappings=[ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
                device_name="/dev/xvda", ebs=ec2.CfnLaunchTemplate.EbsProperty(
                    volume_size=size.disk_gib, volume_type="gp3", encrypted=True, delete_on_termination=True))],
        )
        template = ec2.CfnLaunchTemplate(self, f"{id}Template", launch_template_data=data)
        return eks.CfnNodegroup(
            self, id,
            cluster_name=self.cluster.ref,
            nodegroup_name=name,
            node_role=self.node_role.attr_arn,
            subnets=subnets,
            ami_type=ami_type,
            capacity_type="ON_DEMAND",
            instance_types=list(size.instance_types),
            launch_template=eks.CfnNodegroup.LaunchTemplateSpecificationProperty(
                id=template.ref, version=template.attr_latest_version_number),
            scaling_config=eks.CfnNodegroup.ScalingConfigProperty(
                min_size=size.min_size, desired_size=size.desired_size, max_size=size.max_size),
            update_config=eks.CfnNodegroup.UpdateConfigProperty(max_unavailable=1),
            labels=labels,
            taints=taints,
        )


def _trust(service: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
