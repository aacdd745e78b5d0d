import logging

# The stages log through module loggers under "pipelines" (logging.getLogger(__name__)); a library
# configures no output: Dagster runs capture them (python_logs in dagster.yaml), elsewhere the
# caller's logging configuration decides.
logging.getLogger(__name__).addHandler(logging.NullHandler())
