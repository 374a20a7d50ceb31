"""Modules the original's conftest patches (DATA_DIR); bomd keeps its data
in PostgreSQL, so they only hold the name."""
