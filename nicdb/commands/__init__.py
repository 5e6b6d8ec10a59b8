"""The nicdb commands, one module each; :mod:`nicdb.cli` imports a command's module only
when that command runs."""
