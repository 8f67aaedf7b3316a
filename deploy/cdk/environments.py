"""The four environments and what each gets: the one table every construct reads its sizes from."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class NodeGroupSize:
    """A managed node group's instances and bounds. The smallest sizes still fit the pods of k8s/: the
    composer requests 2 cores (m6i.xlarge: 4), Triton 4 cores and 16 GiB beside one GPU (g5.2xlarge: 8, 32 GiB,
    one 24 GB A10G)."""

    instance_types: tuple[str, ...]
    min_size: int
    desired_size: int
    max_size: int
    disk_gib: int


@dataclasses.dataclass(frozen=True)
class Environment:
    name: str  # development, testing, staging, production: in every resource name
    namespace: str  # the Kubernetes namespace its services run in (k8s/overlays/<name>/kustomization.yaml)
    region: str
    zones: int  # availability zones the VPC spans (the region's first ones, Fn::GetAZs)
    vpc_cidr: str
    nat_gateways: int  # one per zone in production (a zone's outage keeps the others' egress), one elsewhere
    kubernetes_version: str
    cpu_nodes: NodeGroupSize
    gpu_nodes: NodeGroupSize
    # Who may reach the cluster's API from outside the VPC; empty: the endpoint is private only.
    public_endpoint_cidrs: tuple[str, ...]
    db_instance_class: str
    db_storage_gib: int
    db_max_storage_gib: int
    db_multi_az: bool
    db_backup_retention_days: int  # point-in-time recovery window
    deletion_protection: bool  # database and its final snapshot: staging and production
    log_retention_days: int  # cluster and database logs
    noncurrent_version_days: int  # how long an overwritten or deleted object's old version is kept
    access_log_days: int  # S3 server access logs, CloudFront logs and VPC flow logs

    @property
    def is_production(self) -> bool:
        return self.name == "production"

    def resource_name(self, part: str) -> str:
        """The name of a named resource, e.g. filmstudio-production-media."""
        return f"filmstudio-{self.name}-{part}"


# The trash's purge age: orchestrator TRASH_RETENTION (filmstudio/config.py trash_retention_s, 30 days).
TRASH_PURGE_DAYS = 30
# The object store's prefix in the media bucket: FILMSTUDIO_STORE_URL is s3://<media bucket>/<this> in every
# overlay (k8s/overlays/*/environment.yaml), so the app's keys (films/{id}/..., assets/...) live under it.
STORE_PREFIX = "films"

# Placeholder for the operators' office/VPN range (RFC 5737 documentation block): set yours here.
_OPERATOR_CIDRS = ("203.0.113.0/24",)

ENVIRONMENTS: dict[str, Environment] = {env.name: env for env in (
    Environment(
        name="development", namespace="filmstudio-dev", region="eu-west-1", zones=3, vpc_cidr="10.10.0.0/16",
        nat_gateways=1, kubernetes_version="1.33",
        cpu_nodes=NodeGroupSize(("m6i.xlarge",), 1, 2, 4, 50),
        gpu_nodes=NodeGroupSize(("g5.2xlarge",), 0, 1, 1, 200),
        public_endpoint_cidrs=_OPERATOR_CIDRS,
        db_instance_class="db.t4g.medium", db_storage_gib=20, db_max_storage_gib=100, db_multi_az=False,
        db_backup_retention_days=7, deletion_protection=False,
        log_retention_days=30, noncurrent_version_days=7, access_log_days=30),
    Environment(
        name="testing", namespace="filmstudio-test", region="eu-west-1", zones=3, vpc_cidr="10.20.0.0/16",
        nat_gateways=1, kubernetes_version="1.33",
        cpu_nodes=NodeGroupSize(("m6i.xlarge",), 1, 2, 4, 50),
        gpu_nodes=NodeGroupSize(("g5.2xlarge",), 0, 1, 1, 200),
        public_endpoint_cidrs=_OPERATOR_CIDRS,
        db_instance_class="db.t4g.medium", db_storage_gib=20, db_max_storage_gib=100, db_multi_az=False,
        db_backup_retention_days=7, deletion_protection=False,
        log_retention_days=30, noncurrent_version_days=7, access_log_days=30),
    Environment(
        name="staging", namespace="filmstudio-staging", region="eu-west-1", zones=3, vpc_cidr="10.30.0.0/16",
        nat_gateways=1, kubernetes_version="1.33",
        cpu_nodes=NodeGroupSize(("m6i.xlarge",), 2, 3, 6, 100),
        gpu_nodes=NodeGroupSize(("g5.2xlarge",), 1, 1, 2, 200),
        public_endpoint_cidrs=(),
        db_instance_class="db.r6g.large", db_storage_gib=100, db_max_storage_gib=500, db_multi_az=False,
        db_backup_retention_days=14, deletion_protection=True,
        log_retention_days=90, noncurrent_version_days=30, access_log_days=90),
    Environment(
        name="production", namespace="filmstudio", region="eu-west-1", zones=3, vpc_cidr="10.40.0.0/16",
        nat_gateways=3, kubernetes_version="1.33",
        cpu_nodes=NodeGroupSize(("m6i.2xlarge",), 3, 3, 12, 100),
        gpu_nodes=NodeGroupSize(("g5.2xlarge",), 1, 2, 8, 200),
        public_endpoint_cidrs=(),
        db_instance_class="db.r6g.xlarge", db_storage_gib=200, db_max_storage_gib=1000, db_multi_az=True,
        db_backup_retention_days=35, deletion_protection=True,
        log_retention_days=365, noncurrent_version_days=30, access_log_days=365),
)}
