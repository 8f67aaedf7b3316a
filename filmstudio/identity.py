"""Who a call speaks for when nobody says: the single user of an embedded, one-machine install (the
CLI's tokens name this subject unless told otherwise). Every call proves its user with a bearer token
(filmstudio.auth); there is no other way to name one."""

LOCAL_USER = "local"
