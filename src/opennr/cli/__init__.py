"""The ``opennr`` command: a thin shell over the library."""
