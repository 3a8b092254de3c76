"""`make interop`: third-party Bitrix24 clients run a scenario against the emulator.

Not part of `make test`: installing the peers needs the package registries. See run.py.
"""
