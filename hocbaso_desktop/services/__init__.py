"""Use cases shared by the CLI and the GUI. They return frozen snapshots, never ORM rows."""
