from alembic import context

from hocbaso_desktop.storage import transcription_models  # noqa: F401  (its table in the metadata)
from hocbaso_desktop.storage.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic revision --autogenerate` from a developer shell
        from sqlalchemy import create_engine

        url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///dev-autogen.sqlite3"
        engine = create_engine(url)
        with engine.begin() as connection:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


run()
