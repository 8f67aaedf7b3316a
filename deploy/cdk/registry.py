"""The ECR repositories of the two images (deploy/README.md): scanned on push, immutable tags."""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from deploy.cdk.environments import Environment

REPOSITORIES = ("filmstudio/services", "filmstudio/triton")
_KEEP_IMAGES = 50  # tagged releases kept per repository; untagged layers go after a week


def _lifecycle_policy() -> str:
    return json.dumps({"rules": [
        {"rulePriority": 1, "description": "untagged images go after 7 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": 7},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"keep the newest {_KEEP_IMAGES} images",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": _KEEP_IMAGES},
         "action": {"type": "expire"}},
    ]})


class Registry(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.repositories: dict[str, ecr.CfnRepository] = {}
        for name in REPOSITORIES:
            repository = ecr.CfnRepository(
                self, name.split("/")[-1].capitalize(),
                repository_name=name,
                image_scanning_configuration=ecr.CfnRepository.ImageScanningConfigurationProperty(scan_on_push=True),
                image_tag_mutability="IMMUTABLE",
                encryption_configuration=ecr.CfnRepository.EncryptionConfigurationProperty(
                    encryption_type="KMS", kms_key=key.key_arn),
                lifecycle_policy=ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=_lifecycle_policy()),
            )
            repository.apply_removal_policy(RemovalPolicy.RETAIN if env.deletion_protection else RemovalPolicy.DESTROY)
            self.repositories[name] = repository
