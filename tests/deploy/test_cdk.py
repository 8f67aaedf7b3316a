"""The CDK app's templates, per environment: what each resource must be (sizes, protection, encryption,
access), checked on the synthesized CloudFormation with aws_cdk.assertions. Every environment is
synthesized once per module."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest
import yaml

# jsii starts node on import: an older node than it supports still works, without the banner.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", subprocess.run(
    ["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True).stdout.strip())
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")

assertions = pytest.importorskip("aws_cdk.assertions", reason="aws-cdk-lib is in requirements-infra.txt")
Match, Template = assertions.Match, assertions.Template

from deploy.cdk.app import build  # noqa: E402
from filmstudio.config import Config  # noqa: E402
from deploy.cdk.environments import ENVIRONMENTS, TRASH_PURGE_DAYS  # noqa: E402
from deploy.cdk.karpenter import DISCOVERY_TAG, INTERRUPTION_EVENTS, NODE_INSTANCE_PROFILE_NAME  # noqa: E402
from deploy.cdk.karpenter import NODE_ROLE_NAME  # noqa: E402
from deploy.cdk.service_roles import SERVICE_ACCOUNTS  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]

NAMES = list(ENVIRONMENTS)


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Template]:
    app = build(str(tmp_path_factory.mktemp("cdk.out")))
    assembly = app.synth()
    return {name: Template.from_json(assembly.get_stack_by_name(f"FilmStudio-{name}").template) for name in NAMES}


@pytest.fixture(params=NAMES)
def env(request):
    return ENVIRONMENTS[request.param]


@pytest.fixture
def template(templates, env) -> Template:
    return templates[env.name]


def resources(template: Template, kind: str, props: dict | None = None) -> dict:
    return template.find_resources(kind, {"Properties": props} if props else None)


def only(template: Template, kind: str, props: dict | None = None) -> dict:
    found = resources(template, kind, props)
    assert len(found) == 1, f"{len(found)} {kind} matching {props}"
    return next(iter(found.values()))["Properties"]


def test_one_stack_per_environment(templates):
    assert set(templates) == {"development", "testing", "staging", "production"}


def test_the_vpc_spans_three_zones_with_nat_per_zone_in_production_only(template, env):
    template.resource_count_is("AWS::EC2::Subnet", 6)
    template.resource_count_is("AWS::EC2::NatGateway", 3 if env.is_production else 1)
    template.has_resource_properties("AWS::EC2::FlowLog", {"TrafficType": "ALL", "LogDestinationType": "s3"})
    for subnet in resources(template, "AWS::EC2::Subnet").values():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False


def test_the_database_is_encrypted_backed_up_and_multi_az_in_production_only(template, env):
    db = only(template, "AWS::RDS::DBInstance")
    assert db["Engine"] == "postgres"
    assert db["MultiAZ"] is env.is_production
    assert db["DeletionProtection"] is (env.name in ("staging", "production"))
    assert db["StorageEncrypted"] is True and "KmsKeyId" in db
    assert db["BackupRetentionPeriod"] >= 7  # point-in-time recovery over the window
    assert db["EnableIAMDatabaseAuthentication"] is True
    assert db["ManageMasterUserPassword"] is True and "KmsKeyId" in db["MasterUserSecret"]
    assert db["PubliclyAccessible"] is False
    policy = "Snapshot" if env.deletion_protection else "Delete"
    template.has_resource("AWS::RDS::DBInstance", {"DeletionPolicy": policy})


def test_the_database_admits_only_the_cluster_nodes(template):
    group = only(template, "AWS::EC2::SecurityGroup", {"GroupDescription": Match.string_like_regexp("PostgreSQL")})
    [ingress] = group["SecurityGroupIngress"]
    assert ingress["FromPort"] == ingress["ToPort"] == 5432
    assert ingress["SourceSecurityGroupId"] == {"Fn::GetAtt": [_logical_id(template, "AWS::EKS::Cluster"),
                                                               "ClusterSecurityGroupId"]}
    assert "CidrIp" not in ingress


@pytest.mark.parametrize("bucket", ["media", "models"])
def test_the_buckets_are_versioned_encrypted_private_logged_and_purge_the_trash(template, env, bucket):
    props = only(template, "AWS::S3::Bucket", {"BucketName": env.resource_name(bucket)})
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": _bucket_id(template, env, "logs")}
    rules = {rule["Id"]: rule for rule in props["LifecycleConfiguration"]["Rules"]}
    if bucket == "media":
        assert rules["purge-trash"] == {"Id": "purge-trash", "Prefix": "films/trash/",
                                        "ExpirationInDays": TRASH_PURGE_DAYS, "Status": "Enabled"}
    else:
        assert "purge-trash" not in rules
    assert TRASH_PURGE_DAYS * 24 * 3600 == Config.trash_retention_s  # the sweeper's retention
    assert rules["expire-noncurrent-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == \
        env.noncurrent_version_days


def test_every_bucket_refuses_plain_http(template, env):
    for bucket in ("media", "models", "logs"):
        template.has_resource_properties("AWS::S3::BucketPolicy", {
            "Bucket": {"Ref": _bucket_id(template, env, bucket)},
            "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
                "Effect": "Deny", "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_cloudfront_reads_the_media_bucket_through_origin_access_control(template, env):
    oac = only(template, "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3" and oac["SigningBehavior"] == "always"
    config = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    [origin] = config["Origins"]
    oac_id = _logical_id(template, "AWS::CloudFront::OriginAccessControl")
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"
    assert "ResponseHeadersPolicyId" in config["DefaultCacheBehavior"]
    # Signed URLs only: the gateway's owner checks are not bypassed by the CDN.
    key_group = _logical_id(template, "AWS::CloudFront::KeyGroup")
    assert config["DefaultCacheBehavior"]["TrustedKeyGroups"] == [{"Ref": key_group}]
    assert config["Logging"]["Bucket"] == {"Fn::GetAtt": [_bucket_id(template, env, "logs"), "RegionalDomainName"]}
    headers = only(template, "AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    assert headers["SecurityHeadersConfig"]["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    template.resource_count_is("AWS::CloudFront::CloudFrontOriginAccessIdentity", 0)


def test_the_media_bucket_admits_cloudfront_by_service_principal(template, env):
    template.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": _bucket_id(template, env, "media")},
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject"})])}})


def test_the_image_repositories_scan_on_push_with_immutable_tags(template):
    repositories = resources(template, "AWS::ECR::Repository")
    assert sorted(r["Properties"]["RepositoryName"] for r in repositories.values()) == \
        ["filmstudio/services", "filmstudio/triton"]
    for repository in repositories.values():
        props = repository["Properties"]
        assert props["ImageTagMutability"] == "IMMUTABLE"
        assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert props["EncryptionConfiguration"]["EncryptionType"] == "KMS"
        assert json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]


def test_the_cluster_logs_everything_encrypts_secrets_and_keeps_its_endpoint_private(template, env):
    cluster = only(template, "AWS::EKS::Cluster")
    assert [log["Type"] for log in cluster["Logging"]["ClusterLogging"]["EnabledTypes"]] == \
        ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    [encryption] = cluster["EncryptionConfig"]
    assert encryption["Resources"] == ["secrets"] and "KeyArn" in encryption["Provider"]
    vpc = cluster["ResourcesVpcConfig"]
    assert vpc["EndpointPrivateAccess"] is True
    assert vpc["EndpointPublicAccess"] is bool(env.public_endpoint_cidrs)
    if env.public_endpoint_cidrs:
        assert vpc["PublicAccessCidrs"] == list(env.public_endpoint_cidrs)
        assert "0.0.0.0/0" not in vpc["PublicAccessCidrs"]
    assert env.public_endpoint_cidrs == () or env.name in ("development", "testing")


def test_the_gpu_nodes_are_labelled_and_tainted_for_triton_alone(template, env):
    gpu = only(template, "AWS::EKS::Nodegroup", {"NodegroupName": env.resource_name("gpu")})
    assert gpu["AmiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["Labels"] == {"workload": "gpu"}
    assert gpu["Taints"] == [{"Key": "nvidia.com/gpu", "Value": "true", "Effect": "NO_SCHEDULE"}]
    assert gpu["InstanceTypes"] == list(env.gpu_nodes.instance_types)
    cpu = only(template, "AWS::EKS::Nodegroup", {"NodegroupName": env.resource_name("cpu")})
    assert "Taints" not in cpu and cpu["AmiType"] == "AL2023_x86_64_STANDARD"
    assert cpu["ScalingConfig"] == {"MinSize": env.cpu_nodes.min_size, "DesiredSize": env.cpu_nodes.desired_size,
                                    "MaxSize": env.cpu_nodes.max_size}


def test_pods_cannot_borrow_the_node_role_and_node_disks_are_encrypted(template):
    templates = resources(template, "AWS::EC2::LaunchTemplate")
    assert len(templates) == 2
    for launch_template in templates.values():
        data = launch_template["Properties"]["LaunchTemplateData"]
        assert data["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 1,
                                           "HttpEndpoint": "enabled"}
        assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True


@pytest.mark.parametrize("access", SERVICE_ACCOUNTS, ids=lambda access: access.service_account)
def test_each_service_account_role_trusts_only_its_own_account(template, env, access):
    role = only(template, "AWS::IAM::Role", {"RoleName": env.resource_name(access.service_account)})
    document, variables = role["AssumeRolePolicyDocument"]["Fn::Sub"]
    [statement] = json.loads(document)["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": "${ProviderArn}"}
    assert statement["Condition"] == {"StringEquals": {
        "${Issuer}:sub": f"system:serviceaccount:{env.namespace}:{access.service_account}",
        "${Issuer}:aud": "sts.amazonaws.com"}}
    assert variables["ProviderArn"] == {"Fn::GetAtt": [_logical_id(template, "AWS::IAM::OIDCProvider"), "Arn"]}
    actions = {action for s in role["Policies"][0]["PolicyDocument"]["Statement"] for action in _list(s["Action"])}
    assert ("s3:DeleteObject" in actions) is (access.service_account == "orchestrator")
    assert {"s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"} <= actions
    assert not any(action.endswith("*") for action in actions)


def test_only_triton_reads_the_models_bucket(template, env):
    models = {"Fn::GetAtt": [_bucket_id(template, env, "models"), "Arn"]}
    for access in SERVICE_ACCOUNTS:
        role = only(template, "AWS::IAM::Role", {"RoleName": env.resource_name(access.service_account)})
        statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        reads_models = any(s["Resource"] == models for s in statements)
        assert reads_models is (access.service_account == "triton"), access.service_account


def test_the_ebs_csi_driver_has_its_own_role_for_the_triton_volume(template):
    addon = only(template, "AWS::EKS::Addon", {"AddonName": "aws-ebs-csi-driver"})
    role_id = addon["ServiceAccountRoleArn"]["Fn::GetAtt"][0]
    document, _ = template.to_json()["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Fn::Sub"]
    assert json.loads(document)["Statement"][0]["Condition"]["StringEquals"]["${Issuer}:sub"] == \
        "system:serviceaccount:kube-system:ebs-csi-controller-sa"


def test_the_jwt_signing_key_is_generated_and_encrypted(template, env):
    secret = only(template, "AWS::SecretsManager::Secret", {"Name": env.resource_name("jwt-secret")})
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    assert "KmsKeyId" in secret


def test_the_overlays_find_every_value_they_need_in_the_outputs(template, env):
    template.has_output("StoreUrl", {"Value": {"Fn::Join": ["", ["s3://", {"Ref": _bucket_id(template, env, "media")},
                                                                  "/films"]]}})
    outputs = set(template.to_json()["Outputs"])
    assert {"ClusterName", "MediaBucket", "StoreUrl", "ModelsBucket", "MediaCdnDomain", "DatabaseEndpoint",
            "DatabaseSecretArn", "JwtSecretArn", "ServicesRepositoryUri", "TritonRepositoryUri",
            "OrchestratorRoleArn", "ComposerRoleArn", "GatewayRoleArn", "TritonRoleArn",
            "OrchestratorServiceAccount", "TritonServiceAccount", "KarpenterNodeRoleName",
            "KarpenterNodeInstanceProfile", "KarpenterControllerRoleArn", "KarpenterInterruptionQueue"} <= outputs


# --- Karpenter (k8s/cluster's GPU nodes) ------------------------------------------------------------------

NODE_POLICIES = {"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly",
                 "AmazonSSMManagedInstanceCore"}


def _karpenter_node_role_id(template: Template) -> str:
    [logical_id] = resources(template, "AWS::IAM::Role", {"RoleName": NODE_ROLE_NAME})
    return logical_id


def _karpenter_controller(template: Template, env) -> dict:
    return only(template, "AWS::IAM::Role", {"RoleName": env.resource_name("karpenter")})


def _karpenter_statements(template: Template, env) -> dict[str, dict]:
    [policy] = _karpenter_controller(template, env)["Policies"]
    return {statement["Sid"]: statement for statement in policy["PolicyDocument"]["Statement"]}


def test_karpenter_nodes_have_their_role_instance_profile_and_access_entry(template):
    role_id = _karpenter_node_role_id(template)
    role = template.to_json()["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert {arn["Fn::Join"][1][-1].rsplit("/", 1)[-1] for arn in role["ManagedPolicyArns"]} == NODE_POLICIES
    profile = only(template, "AWS::IAM::InstanceProfile", {"InstanceProfileName": NODE_INSTANCE_PROFILE_NAME})
    assert profile["Roles"] == [{"Ref": role_id}]
    entry = only(template, "AWS::EKS::AccessEntry", {"PrincipalArn": {"Fn::GetAtt": [role_id, "Arn"]}})
    assert entry["Type"] == "EC2_LINUX"
    assert entry["ClusterName"] == {"Ref": _logical_id(template, "AWS::EKS::Cluster")}
    # Its own role: EKS makes the managed node groups' entries itself, and two entries for one role collide.
    for group in resources(template, "AWS::EKS::Nodegroup").values():
        assert group["Properties"]["NodeRole"] != {"Fn::GetAtt": [role_id, "Arn"]}


def test_the_karpenter_controller_trusts_only_its_service_account(template, env):
    role = _karpenter_controller(template, env)
    document, variables = role["AssumeRolePolicyDocument"]["Fn::Sub"]
    [statement] = json.loads(document)["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        "${Issuer}:sub": "system:serviceaccount:kube-system:karpenter", "${Issuer}:aud": "sts.amazonaws.com"}}
    assert variables["ProviderArn"] == {"Fn::GetAtt": [_logical_id(template, "AWS::IAM::OIDCProvider"), "Arn"]}


def test_the_karpenter_controller_passes_only_the_node_role_and_acts_only_on_its_cluster(template, env):
    statements = _karpenter_statements(template, env)
    passes = [s for s in statements.values() if "iam:PassRole" in _list(s["Action"])]
    assert passes == [statements["AllowPassingInstanceRole"]]
    assert passes[0]["Resource"] == {"Fn::GetAtt": [_karpenter_node_role_id(template), "Arn"]}
    assert passes[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    assert not any(a.startswith("iam:") and a not in ("iam:PassRole", "iam:GetInstanceProfile")
                   for s in statements.values() for a in _list(s["Action"]))
    cluster = _logical_id(template, "AWS::EKS::Cluster")
    assert statements["AllowAPIServerEndpointDiscovery"]["Resource"] == {"Fn::GetAtt": [cluster, "Arn"]}
    owned = f"aws:RequestTag/kubernetes.io/cluster/{env.resource_name('cluster')}"
    for sid in ("AllowScopedEC2InstanceActionsWithTags", "AllowScopedResourceCreationTagging"):
        assert statements[sid]["Condition"]["StringEquals"][owned] == "owned", sid
    for sid in ("AllowScopedEC2LaunchTemplateAccessActions", "AllowScopedResourceTagging", "AllowScopedDeletion"):
        assert statements[sid]["Condition"]["StringLike"] == {"aws:ResourceTag/karpenter.sh/nodepool": "*"}, sid
    # "*" only where the action takes no resource: EC2's reads (held to the region) and the price list.
    unscoped = {sid for sid, s in statements.items() if s["Resource"] == "*"}
    assert unscoped == {"AllowRegionalReadActions", "AllowPricingReadActions"}
    assert all(a.startswith("ec2:Describe") for a in statements["AllowRegionalReadActions"]["Action"])
    assert "aws:RequestedRegion" in statements["AllowRegionalReadActions"]["Condition"]["StringEquals"]
    assert statements["AllowSSMReadActions"]["Action"] == "ssm:GetParameter"
    queue = _logical_id(template, "AWS::SQS::Queue")
    assert statements["AllowInterruptionQueueActions"]["Resource"] == {"Fn::GetAtt": [queue, "Arn"]}


def test_the_interruption_queue_is_encrypted_tls_only_and_fed_by_every_interruption_rule(template, env):
    queue_id = _logical_id(template, "AWS::SQS::Queue")
    queue = only(template, "AWS::SQS::Queue")
    assert queue["QueueName"] == env.resource_name("karpenter")
    key_id = queue["KmsMasterKeyId"]["Fn::GetAtt"][0]
    assert template.to_json()["Resources"][key_id]["Type"] == "AWS::KMS::Key"
    assert _karpenter_statements(template, env)["AllowInterruptionQueueKey"]["Resource"] == \
        {"Fn::GetAtt": [key_id, "Arn"]}
    rules = resources(template, "AWS::Events::Rule")
    patterns = sorted((r["Properties"]["EventPattern"]["source"], r["Properties"]["EventPattern"]["detail-type"])
                      for r in rules.values())
    assert patterns == sorted(([e.source], [e.detail_type]) for e in INTERRUPTION_EVENTS)
    assert len(INTERRUPTION_EVENTS) == 4
    for rule in rules.values():
        assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [{"Fn::GetAtt": [queue_id, "Arn"]}]
    policy = only(template, "AWS::SQS::QueuePolicy")
    assert policy["Queues"] == [{"Ref": queue_id}]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["TlsOnly"]["Effect"] == "Deny"
    assert statements["TlsOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    allow = statements["EventBridge"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"} and allow["Action"] == "sqs:SendMessage"
    assert sorted(arn["Fn::GetAtt"][0] for arn in allow["Condition"]["ArnEquals"]["aws:SourceArn"]) == \
        sorted(rules)


def test_karpenter_discovers_the_private_subnets_and_a_node_security_group_that_meets_the_cluster(template):
    key, value = DISCOVERY_TAG
    tag = {"Key": key, "Value": value}
    for subnet in resources(template, "AWS::EC2::Subnet").values():
        private = {"Key": "kubernetes.io/role/internal-elb", "Value": "1"} in subnet["Properties"]["Tags"]
        assert (tag in subnet["Properties"]["Tags"]) is private
    groups = resources(template, "AWS::EC2::SecurityGroup", {"Tags": Match.array_with([tag])})
    [group_id] = groups
    cluster_group = {"Fn::GetAtt": [_logical_id(template, "AWS::EKS::Cluster"), "ClusterSecurityGroupId"]}
    node_group = {"Fn::GetAtt": [group_id, "GroupId"]}
    props = groups[group_id]["Properties"]
    assert [rule["SourceSecurityGroupId"] for rule in props["SecurityGroupIngress"]] == [cluster_group]
    assert not any(rule.get("CidrIp") == "0.0.0.0/0" and rule["IpProtocol"] == "-1"
                   for rule in props["SecurityGroupEgress"])
    template.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "GroupId": cluster_group, "SourceSecurityGroupId": node_group, "IpProtocol": "-1"})
    template.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "GroupId": node_group, "SourceSecurityGroupId": node_group, "IpProtocol": "-1"})


def test_k8s_cluster_names_what_every_stack_makes():
    [node_class] = [d for d in yaml.safe_load_all((ROOT / "k8s/cluster/gpu-nodes.yaml").read_text())
                    if d and d["kind"] == "EC2NodeClass"]
    spec = node_class["spec"]
    assert spec["instanceProfile"] == NODE_INSTANCE_PROFILE_NAME and "role" not in spec
    key, value = DISCOVERY_TAG
    assert spec["subnetSelectorTerms"] == spec["securityGroupSelectorTerms"] == [{"tags": {key: value}}]


def test_no_custom_resource_lambdas_and_every_suppression_says_why(template):
    template.resource_count_is("AWS::Lambda::Function", 0)
    for logical_id, resource in template.to_json()["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["id"].startswith("CKV") and len(skip["comment"]) > 20, logical_id


def test_every_key_rotates(template):
    for key in resources(template, "AWS::KMS::Key").values():
        assert key["Properties"]["EnableKeyRotation"] is True


def _list(value):
    return value if isinstance(value, list) else [value]


def _logical_id(template: Template, kind: str) -> str:
    [logical_id] = resources(template, kind)
    return logical_id


def _bucket_id(template: Template, env, bucket: str) -> str:
    [logical_id] = resources(template, "AWS::S3::Bucket", {"BucketName": env.resource_name(bucket)})
    return logical_id
