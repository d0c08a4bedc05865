"""Officials' announcements to citizens: the service (audiences, preview, send, stop) and the chat."""
