"""Who is calling. The gateway verifies the user's token and forwards its subject in this gRPC
metadata key; internal callers (authenticated by mTLS in production) set it the same way. A call
without it is the single local user of an embedded, one-machine install."""

USER_METADATA_KEY = "x-filmstudio-user"
LOCAL_USER = "local"
