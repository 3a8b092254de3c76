"""Hand-written runtime: transport, auth, validation and errors shared by every method."""
