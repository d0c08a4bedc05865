"""The officials' progress report: the service (figures rendered per area, daily reports) and /baocao."""
