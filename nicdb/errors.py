"""Errors nicdb reports to its user as one line and exit status 2."""


class NicdbError(Exception):
    """A problem with what the user gave nicdb (an argument, a file, the database).

    The message is shown as-is after ``nicdb: error:``; it must name what was wrong.
    """

    exit_code = 2


class InputError(NicdbError):
    """An input (argument, dump, sysfs file, archive) could not be understood."""


class DataError(NicdbError):
    """A knowledge-base file in data/ (or a local overlay) is invalid."""


class DatabaseError(NicdbError):
    """The SQLite database is missing, corrupt, foreign or unwritable."""
