"""Event specs: what the portal POSTs to an application's handler, loaded, checked and rendered.

Kept apart from the method pipeline because an event has no call to make: no keyword
arguments, no errors, no results, only a payload to type and a registry to look it up in.
"""
