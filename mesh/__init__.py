"""The mesh on one machine: the `filmstudio` command (cli.py) and the supervisor that starts and
watches every service (supervisor.py). The one place that knows every service; nothing imports it."""
