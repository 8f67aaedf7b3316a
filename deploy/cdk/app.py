"""The CDK app: every environment's stack. `python -m deploy.cdk.app [outdir]` from the repository root
synthesizes them all (default: deploy/cdk/cdk.out); `cdk` reads the same through cdk.json."""

from __future__ import annotations

import sys

from aws_cdk import App

from deploy.cdk.environments import ENVIRONMENTS
from deploy.cdk.stack import FilmStudioStack


# Behaviours newer CDK projects get by default (cdk.json of `cdk init`), set here so the code alone decides.
FEATURE_FLAGS = {
    # Server access logs are admitted by the log bucket's policy, not the legacy LogDeliveryWrite ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build(outdir: str | None = None) -> App:
    """The app with one stack per environment (FilmStudio-<name>)."""
    app = App(outdir=outdir, context=FEATURE_FLAGS)
    for env in ENVIRONMENTS.values():
        FilmStudioStack(app, env)
    return app


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else None).synth()
