"""The capability audit: the question library, the pages to run an audit and read its radar."""
