"""The RACE advisor: a plan's health check, the workspace's capability audit, 90-day actions."""
