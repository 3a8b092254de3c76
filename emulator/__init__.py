"""Local Bitrix24-compatible portal on loopback."""
