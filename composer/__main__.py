"""`python -m composer`: serve ComposerService on FILMSTUDIO_COMPOSER_ADDR (default 127.0.0.1:50052)."""

from __future__ import annotations

from composer.server import registrar
from filmstudio import tls
from filmstudio.config import Config
from filmstudio.server import run_service, serve
from filmstudio.storage import open_store
from filmstudio.telemetry import TracingInterceptor, configure_logging, serve_metrics, setup_tracing


async def main() -> None:
    config = Config.from_env()
    configure_logging("composer", config.log_level)
    setup_tracing("composer", config.otlp_endpoint, config.trace_file)
    serve_metrics(config.composer_metrics_port, config.metrics_host)
    store = open_store(config.store_url, config.s3_endpoint)
    credentials = tls.server_credentials(tls.certificates(config))
    await serve(registrar(store, config.composer_max_encodes), config.composer_addr, "composer", on_stop=store.close,
                interceptors=[TracingInterceptor()], credentials=credentials)


if __name__ == "__main__":
    run_service(main, "composer")
