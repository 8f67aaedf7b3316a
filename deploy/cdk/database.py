"""RDS PostgreSQL for the orchestrator's films, accounts and leases.

Recovery: automated backups with point-in-time recovery. RDS ships the transaction logs to S3 every
5 minutes, so any moment of the retention window up to about 5 minutes ago can be restored: the RPO is
under 1 hour with a wide margin. Production runs Multi-AZ (a synchronous standby, automatic failover).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from constructs import Construct

from deploy.cdk.environments import Environment
from deploy.cdk.suppressions import skip_checkov

PORT = 5432
DATABASE = "filmstudio"
MASTER_USER = "filmstudio"
ENGINE_VERSION = "17.6"


class Database(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, vpc: ec2.IVpc, node_security_group_id: str,
                 key: kms.IKey, secrets_key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.security_group = ec2.CfnSecurityGroup(
            self, "SecurityGroup",
            group_description=f"Film Studio PostgreSQL ({env.name}), the cluster nodes only",
            vpc_id=vpc.vpc_id,
            security_group_ingress=[ec2.CfnSecurityGroup.IngressProperty(
                ip_protocol="tcp", from_port=PORT, to_port=PORT, source_security_group_id=node_security_group_id,
                description="PostgreSQL from the EKS cluster security group (every managed node)")],
            # The database starts no connections; this keeps the default allow-all egress rule away.
            security_group_egress=[ec2.CfnSecurityGroup.EgressProperty(
                ip_protocol="icmp", from_port=252, to_port=86, cidr_ip="255.255.255.255/32",
                description="no egress")],
        )
        subnets = rds.CfnDBSubnetGroup(
            self, "Subnets", db_subnet_group_description=f"Film Studio PostgreSQL ({env.name}) private subnets",
            subnet_ids=[subnet.subnet_id for subnet in vpc.private_subnets])
        parameters = rds.CfnDBParameterGroup(
            self, "Parameters", description="Film Studio PostgreSQL: TLS only, slow statements logged",
            family="postgres17",
            parameters={"rds.force_ssl": "1", "log_min_duration_statement": "1000", "log_connections": "1",
                        "log_disconnections": "1"})
        monitoring = iam.CfnRole(
            self, "MonitoringRole",
            assume_role_policy_document={"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                 "Action": "sts:AssumeRole"}]},
            managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"])
        self.instance = rds.CfnDBInstance(
            self, "Instance",
            db_instance_identifier=env.resource_name("db"),
            engine="postgres",
            engine_version=ENGINE_VERSION,
            db_instance_class=env.db_instance_class,
            db_name=DATABASE,
            port=str(PORT),
            allocated_storage=str(env.db_storage_gib),
            max_allocated_storage=env.db_max_storage_gib,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=key.key_arn,
            multi_az=env.db_multi_az,
            db_subnet_group_name=subnets.ref,
            vpc_security_groups=[self.security_group.attr_group_id],
            publicly_accessible=False,
            db_parameter_group_name=parameters.ref,
            # Credentials: RDS generates the password and keeps it in Secrets Manager, encrypted with the
            # secrets key, rotating it itself (every 7 days) without a Lambda of ours.
            master_username=MASTER_USER,
            manage_master_user_password=True,
            master_user_secret=rds.CfnDBInstance.MasterUserSecretProperty(kms_key_id=secrets_key.key_arn),
            enable_iam_database_authentication=True,
            backup_retention_period=env.db_backup_retention_days,
            preferred_backup_window="02:00-03:00",
            preferred_maintenance_window="sun:03:30-sun:04:30",
            copy_tags_to_snapshot=True,
            deletion_protection=env.deletion_protection,
            auto_minor_version_upgrade=True,
            enable_cloudwatch_logs_exports=["postgresql", "upgrade"],
            monitoring_interval=60,
            monitoring_role_arn=monitoring.attr_arn,
            enable_performance_insights=True,
            performance_insights_kms_key_id=key.key_arn,
            performance_insights_retention_period=7,
        )
        if not env.db_multi_az:
            skip_checkov(self.instance, "CKV_AWS_157",
                         f"{env.name} runs one instance to save cost; production is Multi-AZ, and every "
                         "environment restores from point-in-time backups")
        # Staging and production keep a final snapshot when the stack is deleted; the others go at once.
        self.instance.apply_removal_policy(RemovalPolicy.SNAPSHOT if env.deletion_protection else RemovalPolicy.DESTROY)
        self.endpoint = self.instance.attr_endpoint_address
        self.secret_arn = self.instance.attr_master_user_secret_secret_arn
