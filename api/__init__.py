"""The token API (/api/v1/): a door onto the same reading and recording code as the pages."""
