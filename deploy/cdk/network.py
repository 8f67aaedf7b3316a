"""The VPC: public and private subnets over three zones, NAT per the environment, flow logs to S3."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.cdk.environments import Environment


class Network(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, log_bucket: s3.IBucket) -> None:
        super().__init__(scope, id)
        self.vpc = ec2.Vpc(
            self, "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(env.vpc_cidr),
            max_azs=env.zones,
            nat_gateways=env.nat_gateways,
            subnet_configuration=[
                # Load balancers and NAT gateways only (both have their own addresses): nothing launched
                # here gets a public IP by default.
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=20,
                                        map_public_ip_on_launch=False),
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                                        cidr_mask=19),
            ],
        )
        # Tags the AWS Load Balancer Controller finds subnets by (the gateway's ALB, k8s/gateway.yaml).
        for subnet in self.vpc.public_subnets:
            subnet.node.default_child.tags.set_tag("kubernetes.io/role/elb", "1")
        for subnet in self.vpc.private_subnets:
            subnet.node.default_child.tags.set_tag("kubernetes.io/role/internal-elb", "1")
        self.vpc.add_flow_log(
            "FlowLogs",
            destination=ec2.FlowLogDestination.to_s3(log_bucket, "vpc-flow-logs/"),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
