"""What Karpenter needs from AWS to add the GPU nodes of k8s/cluster/gpu-nodes.yaml on demand.

The node role and instance profile its nodes run as (and the EKS access entry that lets them join), the
controller's IRSA role with Karpenter's documented controller policy scoped to this cluster, the
interruption queue EventBridge feeds (KMS-encrypted, TLS only), and the `karpenter.sh/discovery` tag on what its EC2NodeClass
selects: the private subnets and a node security group (the cluster security group is EKS's, so the app
cannot tag it).

The node role and instance profile have the same name in every environment (one account per
environment, as the ECR repositories already assume), so the one k8s/cluster serves every cluster.
"""

from __future__ import annotations

import dataclasses

from aws_cdk import Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks as eks
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from deploy.cdk.environments import Environment
from deploy.cdk.service_roles import trust_policy

# k8s/cluster/gpu-nodes.yaml names these; tests/deploy/test_cdk.py holds the two to each other.
NODE_ROLE_NAME = "KarpenterNodeRole-filmstudio"
NODE_INSTANCE_PROFILE_NAME = "KarpenterNodeInstanceProfile-filmstudio"
DISCOVERY_TAG = ("karpenter.sh/discovery", "filmstudio")
# Where deploy/README.md installs the chart (helm --namespace kube-system); its ServiceAccount is "karpenter".
NAMESPACE, SERVICE_ACCOUNT = "kube-system", "karpenter"

NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly",
                 "AmazonSSMManagedInstanceCore")


@dataclasses.dataclass(frozen=True)
class InterruptionEvent:
    id: str
    source: str
    detail_type: str


# The events Karpenter acts on (drain and replace the node before EC2 takes it), from its documentation.
INTERRUPTION_EVENTS = (
    InterruptionEvent("ScheduledChange", "aws.health", "AWS Health Event"),
    InterruptionEvent("SpotInterruption", "aws.ec2", "EC2 Spot Instance Interruption Warning"),
    InterruptionEvent("Rebalance", "aws.ec2", "EC2 Instance Rebalance Recommendation"),
    InterruptionEvent("InstanceStateChange", "aws.ec2", "EC2 Instance State-change Notification"),
)


class Karpenter(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, vpc: ec2.IVpc, cluster: eks.CfnCluster,
                 cluster_security_group_id: str, oidc_provider_arn: str, oidc_issuer: str,
                 queue_key: kms.IKey) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        partition = stack.partition
        key, value = DISCOVERY_TAG

        self.node_role = iam.CfnRole(
            self, "NodeRole",
            role_name=NODE_ROLE_NAME,
            description=f"Nodes Karpenter launches in {cluster.name}",
            assume_role_policy_document={"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            managed_policy_arns=[f"arn:{partition}:iam::aws:policy/{name}" for name in NODE_POLICIES],
        )
        self.instance_profile = iam.CfnInstanceProfile(
            self, "NodeInstanceProfile", instance_profile_name=NODE_INSTANCE_PROFILE_NAME,
            roles=[self.node_role.ref])
        # Authentication mode API: without an entry of type EC2_LINUX its nodes' kubelets are refused.
        eks.CfnAccessEntry(self, "NodeAccess", cluster_name=cluster.ref, principal_arn=self.node_role.attr_arn,
                           type="EC2_LINUX")

        # The nodes' security group: talks to the cluster security group (the control plane and every
        # managed node) both ways and to itself; outside the VPC, HTTPS only (ECR, S3, EKS, SSM).
        self.node_security_group = ec2.CfnSecurityGroup(
            self, "NodeSecurityGroup",
            group_description=f"Film Studio Karpenter nodes ({env.name})",
            vpc_id=vpc.vpc_id,
            security_group_egress=[
                ec2.CfnSecurityGroup.EgressProperty(ip_protocol="tcp", from_port=443, to_port=443,
                                                    cidr_ip="0.0.0.0/0", description="HTTPS: ECR, S3, EKS, SSM"),
                ec2.CfnSecurityGroup.EgressProperty(
                    ip_protocol="-1", destination_security_group_id=cluster_security_group_id,
                    description="the control plane and the managed nodes"),
            ],
            security_group_ingress=[ec2.CfnSecurityGroup.IngressProperty(
                ip_protocol="-1", source_security_group_id=cluster_security_group_id,
                description="the control plane (kubelet, webhooks) and pods on the managed nodes")],
            tags=[{"key": key, "value": value}],
        )
        group = self.node_security_group.attr_group_id
        ec2.CfnSecurityGroupIngress(self, "NodeFromNode", group_id=group, source_security_group_id=group,
                                    ip_protocol="-1", description="pod and node traffic between Karpenter nodes")
        ec2.CfnSecurityGroupEgress(self, "NodeToNode", group_id=group, destination_security_group_id=group,
                                   ip_protocol="-1", description="pod and node traffic between Karpenter nodes")
        ec2.CfnSecurityGroupIngress(self, "ClusterFromNode", group_id=cluster_security_group_id,
                                    source_security_group_id=group, ip_protocol="-1",
                                    description="Karpenter nodes to the API server, CoreDNS and pods")
        for subnet in vpc.private_subnets:
            subnet.node.default_child.tags.set_tag(key, value)

        self.queue = sqs.CfnQueue(self, "InterruptionQueue", queue_name=env.resource_name("karpenter"),
                                  message_retention_period=300, kms_master_key_id=queue_key.key_arn)
        self.rules = [events.CfnRule(
            self, f"{event.id}Rule",
            description=f"{event.detail_type} to Karpenter's interruption queue",
            event_pattern={"source": [event.source], "detail-type": [event.detail_type]},
            targets=[events.CfnRule.TargetProperty(id="KarpenterInterruptionQueue", arn=self.queue.attr_arn)],
        ) for event in INTERRUPTION_EVENTS]
        sqs.CfnQueuePolicy(self, "InterruptionQueuePolicy", queues=[self.queue.ref], policy_document={
            "Version": "2012-10-17", "Statement": [
                {"Sid": "EventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                 "Action": "sqs:SendMessage", "Resource": self.queue.attr_arn,
                 "Condition": {"ArnEquals": {"aws:SourceArn": [rule.attr_arn for rule in self.rules]}}},
                {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
                 "Resource": self.queue.attr_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]})

        self.controller_role = iam.CfnRole(
            self, "ControllerRole",
            role_name=env.resource_name("karpenter"),
            description=f"IRSA role of system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT} (the Karpenter controller)",
            assume_role_policy_document=trust_policy(NAMESPACE, SERVICE_ACCOUNT, oidc_provider_arn, oidc_issuer),
            policies=[iam.CfnRole.PolicyProperty(policy_name="karpenter-controller", policy_document={
                "Version": "2012-10-17",
                "Statement": controller_statements(stack, cluster, self.node_role.attr_arn,
                                                   self.instance_profile.attr_arn, self.queue.attr_arn,
                                                   queue_key.key_arn)})],
        )


def controller_statements(stack: Stack, cluster: eks.CfnCluster, node_role_arn: str, instance_profile_arn: str,
                          queue_arn: str, queue_key_arn: str) -> list[dict]:
    """Karpenter's controller policy (its getting-started CloudFormation, v1), for a node class that
    names its instance profile (so no iam:*InstanceProfile writes), scoped to this cluster."""
    ec2_arn = f"arn:{stack.partition}:ec2:{stack.region}:{stack.account}"
    # Condition keys take no functions: the cluster's name as written, not its Ref.
    name = cluster.name
    assert not Token.is_unresolved(name), "the cluster's name must be a literal"
    created = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*",
               "spot-instances-request/*"]
    owned = {"StringEquals": {f"aws:ResourceTag/kubernetes.io/cluster/{name}": "owned"},
             "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}
    requested = {f"aws:RequestTag/kubernetes.io/cluster/{name}": "owned", "aws:RequestTag/eks:eks-cluster-name": name}
    return [
        {"Sid": "AllowScopedEC2InstanceAccessActions", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
         "Resource": [f"arn:{stack.partition}:ec2:{stack.region}::image/*",
                      f"arn:{stack.partition}:ec2:{stack.region}::snapshot/*",
                      f"{ec2_arn}:security-group/*", f"{ec2_arn}:subnet/*", f"{ec2_arn}:capacity-reservation/*"]},
        {"Sid": "AllowScopedEC2LaunchTemplateAccessActions", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateFleet"], "Resource": f"{ec2_arn}:launch-template/*",
         "Condition": owned},
        {"Sid": "AllowScopedEC2InstanceActionsWithTags", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
         "Resource": [f"{ec2_arn}:{resource}" for resource in created],
         "Condition": {"StringEquals": requested, "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}}},
        {"Sid": "AllowScopedResourceCreationTagging", "Effect": "Allow", "Action": "ec2:CreateTags",
         "Resource": [f"{ec2_arn}:{resource}" for resource in created],
         "Condition": {"StringEquals": {**requested,
                                        "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]},
                       "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}}},
        {"Sid": "AllowScopedResourceTagging", "Effect": "Allow", "Action": "ec2:CreateTags",
         "Resource": f"{ec2_arn}:instance/*",
         "Condition": {**owned,
                       "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": name},
                       "ForAllValues:StringEquals": {
                           "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]}}},
        {"Sid": "AllowScopedDeletion", "Effect": "Allow",
         "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
         "Resource": [f"{ec2_arn}:instance/*", f"{ec2_arn}:launch-template/*"], "Condition": owned},
        {"Sid": "AllowRegionalReadActions", "Effect": "Allow",
         "Action": ["ec2:DescribeAvailabilityZones", "ec2:DescribeCapacityReservations", "ec2:DescribeImages",
                    "ec2:DescribeInstances", "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplates", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory",
                    "ec2:DescribeSubnets"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": stack.region}}},
        # The EKS-optimized AMIs' IDs (al2023@latest) are public SSM parameters.
        {"Sid": "AllowSSMReadActions", "Effect": "Allow", "Action": "ssm:GetParameter",
         "Resource": f"arn:{stack.partition}:ssm:{stack.region}::parameter/aws/service/*"},
        {"Sid": "AllowPricingReadActions", "Effect": "Allow", "Action": "pricing:GetProducts", "Resource": "*"},
        {"Sid": "AllowInterruptionQueueActions", "Effect": "Allow",
         "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], "Resource": queue_arn},
        {"Sid": "AllowInterruptionQueueKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": queue_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{stack.region}.amazonaws.com"}}},
        {"Sid": "AllowPassingInstanceRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": node_role_arn,
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
        {"Sid": "AllowInstanceProfileReadActions", "Effect": "Allow", "Action": "iam:GetInstanceProfile",
         "Resource": instance_profile_arn},
        {"Sid": "AllowAPIServerEndpointDiscovery", "Effect": "Allow", "Action": "eks:DescribeCluster",
         "Resource": cluster.attr_arn},
    ]
