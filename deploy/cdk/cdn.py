"""CloudFront in front of the media bucket: Origin Access Control, HTTPS only, security headers, logs.

Only signed URLs are served (a key group of the operators' public key, a parameter of the stack): a film is
its owner's alone and the gateway checks that before it hands out a URL (gateway/files.py), so an unsigned
CDN in front of the same objects would serve them to anyone holding a key."""

from __future__ import annotations

from aws_cdk import CfnParameter, Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.cdk.environments import Environment
from deploy.cdk.suppressions import skip_checkov


class MediaCdn(Construct):
    def __init__(self, scope: Construct, id: str, *, env: Environment, media: s3.IBucket,
                 logs: s3.IBucket) -> None:
        super().__init__(scope, id)
        public_key = CfnParameter(
            scope, "MediaCdnPublicKey", type="String", min_length=1,
            description="PEM public key CloudFront checks media URL signatures with (the gateway signs with the "
                        "private half)")
        signers = cloudfront.KeyGroup(self, "Signers", key_group_name=env.resource_name("media-signers"), items=[
            cloudfront.PublicKey(self, "SignerKey", public_key_name=env.resource_name("media-signer"),
                                 encoded_key=public_key.value_as_string)])
        headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",
            response_headers_policy_name=env.resource_name("media-security-headers"),
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, preload=True,
                    override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True,
                                                                       override=True),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy="default-src 'none'; media-src 'self'; img-src 'self'",
                    override=True),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment=f"Film Studio media ({env.name})",
            # OAC (not the legacy origin access identity): the bucket policy admits this distribution only,
            # and the media key's policy lets CloudFront decrypt for it.
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(media),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                trusted_key_groups=[signers],
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/media/",
        )
        skip_checkov(self.distribution, "CKV_AWS_68",
                     "a CLOUDFRONT-scope WAF web ACL lives in us-east-1, outside this regional stack; "
                     "objects are served only to signed-in users' presigned/film URLs")
        skip_checkov(self.distribution, "CKV_AWS_174",
                     "uses the default *.cloudfront.net certificate (TLS policy fixed by AWS) until a custom "
                     "domain's ACM certificate exists")
