import pytest

from filmstudio.config import Config, ConfigError


def test_defaults_put_everything_under_the_data_dir(tmp_path):
    config = Config.from_env({"FILMSTUDIO_DATA_DIR": str(tmp_path)})
    assert config.store_url == (tmp_path / "store").as_uri()
    assert config.database_url == f"sqlite+aiosqlite:///{tmp_path / 'filmstudio.db'}"
    assert config.orchestrator_addr == "127.0.0.1:50051"


def test_environment_overrides_and_round_trips(tmp_path):
    env = {"FILMSTUDIO_DATA_DIR": str(tmp_path), "FILMSTUDIO_COMPOSER_ADDR": "0.0.0.0:6000",
           "FILMSTUDIO_TRITON_HTTP_PORT": "7000"}
    config = Config.from_env(env)
    assert config.composer_addr == "0.0.0.0:6000" and config.triton_http_port == 7000
    assert Config.from_env(config.environ()) == config


@pytest.mark.parametrize("name,value,expected", [
    ("FILMSTUDIO_TRITON_HTTP_PORT", "eighty", "expected an integer"),
    ("FILMSTUDIO_ORCHESTRATOR_ADDR", "localhost", "expected host:port"),
    ("FILMSTUDIO_GATEWAY_ADDR", "127.0.0.1:99999", "expected host:port"),
])
def test_a_malformed_setting_is_named(name, value, expected):
    with pytest.raises(ConfigError) as error:
        Config.from_env({name: value})
    assert name in str(error.value) and expected in str(error.value)


def test_seconds_settings_must_be_positive_numbers():
    assert Config.from_env({"FILMSTUDIO_LEASE_S": "2.5"}).lease_s == 2.5
    for raw in ("soon", "0", "-3"):
        with pytest.raises(ConfigError, match="FILMSTUDIO_RETRY_DEADLINE_S"):
            Config.from_env({"FILMSTUDIO_RETRY_DEADLINE_S": raw})
